#!/usr/bin/env python3
"""SQLite layout experiment (issue 5, BENCHMARKS.md): readings inserted straight into the clustered
WITHOUT ROWID table, against appended to an unindexed staging table and moved into it, sorted, every
N batches. 10,000 devices, 55,000 rows/s in 100 ms transactions, WAL, synchronous=NORMAL.

    python3 Bench/sqlite-staging.py direct SECONDS     # straight in
    python3 Bench/sqlite-staging.py N SECONDS          # staged, moved every N batches of 100 ms

Prints CPU microseconds per row (this script's own Python work, ~2.7 us, included) and the longest move.
"""
import sqlite3, time, os, random, sys
mode = sys.argv[1]; secs = int(sys.argv[2]); rate = 55000; devices = 10000
path = f"/tmp/anxin-sqlite-staging-{mode}.db"
for ext in ["", "-wal", "-shm"]:
    try: os.remove(path + ext)
    except FileNotFoundError: pass
c = sqlite3.connect(path, isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=NORMAL")
c.execute("""CREATE TABLE readings (device_ref INTEGER NOT NULL, kind INTEGER NOT NULL, measured_at INTEGER NOT NULL,
 value REAL NOT NULL, received_lag INTEGER NOT NULL, flags INTEGER NOT NULL, lon REAL, accuracy_m REAL,
 PRIMARY KEY (device_ref, kind, measured_at, value)) WITHOUT ROWID""")
c.execute("""CREATE TABLE recent (device_ref INTEGER NOT NULL, kind INTEGER NOT NULL, measured_at INTEGER NOT NULL,
 value REAL NOT NULL, received_lag INTEGER NOT NULL, flags INTEGER NOT NULL, lon REAL, accuracy_m REAL)""")
t = 1_795_000_000_000
per = rate // 10
rows_total = 0; fold_time = 0.0; worst_fold = 0.0
cpu0 = time.process_time(); w0 = time.time()
last_fold = 0
for step in range(secs * 10):
    rows = []
    for i in range(per):
        d = random.randrange(devices)
        rows.append((d, random.randrange(4), t + step * 100 + i % 100, 60 + (i % 40), 5, 0, None, None))
    c.execute("BEGIN")
    if mode == "direct":
        c.executemany("INSERT OR IGNORE INTO readings VALUES (?,?,?,?,?,?,?,?)", rows)
    else:
        c.executemany("INSERT INTO recent VALUES (?,?,?,?,?,?,?,?)", rows)
    c.execute("COMMIT")
    rows_total += len(rows)
    if mode != "direct" and (step - last_fold) >= int(mode):
        f0 = time.time()
        c.execute("BEGIN")
        c.execute("INSERT OR IGNORE INTO readings SELECT * FROM recent ORDER BY device_ref, kind, measured_at, value")
        c.execute("DELETE FROM recent")
        c.execute("COMMIT")
        d = time.time() - f0; fold_time += d; worst_fold = max(worst_fold, d); last_fold = step
cpu = time.process_time() - cpu0; wall = time.time() - w0
n = c.execute("select count(*) from readings").fetchone()[0] + c.execute("select count(*) from recent").fetchone()[0]
print(f"{mode}: rows={rows_total} kept={n} cpu={cpu:.2f}s wall={wall:.2f}s us/row={cpu/rows_total*1e6:.2f} fold_total={fold_time:.2f}s worst_fold={worst_fold:.2f}s")
