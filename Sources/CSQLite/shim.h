#ifndef ANXIN_CSQLITE_SHIM_H
#define ANXIN_CSQLITE_SHIM_H
#include <sqlite3.h>
#include <stdint.h>
#include <time.h>
/* SQLITE_TRANSIENT is a macro Swift cannot import. */
static inline void (*anxin_sqlite_transient(void))(void *) { return (void (*)(void *))-1; }

/* A busy handler that polls every 0.25 ms up to the timeout in ms (ctx). SQLite's own
   (sqlite3_busy_timeout) sleeps 1, 2, 5, 10 ... up to 100 ms between tries, so a commit waiting
   behind a 5 ms transaction of another connection could sleep 8 ms, and behind a few of them
   tens of ms: an emergency's commit must resume as soon as the lock is free. */
static int anxin_sqlite_busy_poll(void *ctx, int count) {
    long long limit_us = (long long)(intptr_t)ctx * 1000;
    if ((long long)count * 250 >= limit_us) return 0;
    struct timespec ts = {0, 250000};
    nanosleep(&ts, 0);
    return 1;
}

static inline int anxin_sqlite_set_busy_poll(sqlite3 *db, int milliseconds) {
    return sqlite3_busy_handler(db, anxin_sqlite_busy_poll, (void *)(intptr_t)milliseconds);
}
#endif
