// glibc calls that Swift's Glibc module does not import: malloc tuning (mallopt), and naming the calling
// thread.
#include <malloc.h>
#include <sys/prctl.h>

static inline int anxin_malloc_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }

/// Gives the free pages of every arena back to the system; 1 when any were.
static inline int anxin_malloc_trim(void) { return malloc_trim(0); }

/// Names the calling thread (at most 15 bytes are kept).
static inline int anxin_name_thread(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }
