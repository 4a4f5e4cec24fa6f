// glibc calls that Swift's Glibc module does not import: malloc tuning (mallopt), and naming the calling
// thread.
#include <malloc.h>
#include <sys/prctl.h>

static inline int anxin_malloc_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }

/// Blocks of at least `bytes` are mapped on their own and unmapped when freed; a fixed threshold also
/// stops glibc from raising it each time such a block is freed.
static inline int anxin_malloc_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

/// Blocks mapped on their own right now, and the free bytes every arena holds (for tests).
static inline size_t anxin_malloc_mapped_blocks(void) { return mallinfo2().hblks; }
static inline size_t anxin_malloc_free_bytes(void) { return mallinfo2().fordblks; }

/// Gives the free pages of every arena back to the system; 1 when any were.
static inline int anxin_malloc_trim(void) { return malloc_trim(0); }

/// Names the calling thread (at most 15 bytes are kept).
static inline int anxin_name_thread(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }
