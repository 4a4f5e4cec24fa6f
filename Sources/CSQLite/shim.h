#ifndef ANXIN_CSQLITE_SHIM_H
#define ANXIN_CSQLITE_SHIM_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT is a macro Swift cannot import. */
static inline void (*anxin_sqlite_transient(void))(void *) { return (void (*)(void *))-1; }
#endif
