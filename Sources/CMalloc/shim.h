// glibc calls that Swift's Glibc module does not import: malloc tuning (mallopt), and naming the calling
// thread.
#include <malloc.h>
#include <sys/prctl.h>

static inline int anxin_malloc_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }

/// Names the calling thread (at most 15 bytes are kept).
static inline int anxin_name_thread(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }
