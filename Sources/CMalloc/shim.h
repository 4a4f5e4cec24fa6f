// glibc's malloc tuning (mallopt), which Swift's Glibc module does not import.
#include <malloc.h>

static inline int anxin_malloc_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }
