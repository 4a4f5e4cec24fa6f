#!/usr/bin/env python3
"""Fold cost experiment (issue 5, BENCHMARKS.md): what moving staged rows into the clustered readings
table costs per row, against the fold's size. 10,000 devices, 55,000 rows/s appended to an unindexed
staging table in 100 ms transactions; every EVERY batches one statement moves them, sorted, into the
WITHOUT ROWID table (INSERT OR IGNORE ... SELECT ... ORDER BY key) and deletes them from the stage.

    python3 Bench/sqlite-fold-cost.py single EVERY SECONDS   # clustered table in the same file
    python3 Bench/sqlite-fold-cost.py attach EVERY SECONDS   # clustered table in an attached file

Prints the fold's CPU microseconds per row (SQLite's work only: the appends are not counted) and the
longest fold.
"""
import sqlite3, time, os, random, sys
mode = sys.argv[1]; rate = 55000; devices = 10000; secs = int(sys.argv[3]); every = int(sys.argv[2])
path = "/tmp/anxin-fold-cost.db"
for ext in ["", "-wal", "-shm"]:
    try: os.remove(path + ext)
    except FileNotFoundError: pass
c = sqlite3.connect(path, isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=NORMAL"); c.execute("PRAGMA cache_size=-16384")
c.execute("""CREATE TABLE readings (device_ref INTEGER NOT NULL, kind INTEGER NOT NULL, measured_at INTEGER NOT NULL,
 value REAL NOT NULL, received_lag INTEGER NOT NULL, flags INTEGER NOT NULL, lon REAL, accuracy_m REAL,
 PRIMARY KEY (device_ref, kind, measured_at, value)) WITHOUT ROWID""")
c.execute("""CREATE TABLE stage (device_ref INTEGER NOT NULL, kind INTEGER NOT NULL, measured_at INTEGER NOT NULL,
 value REAL NOT NULL, received_lag INTEGER NOT NULL, flags INTEGER NOT NULL, lon REAL, accuracy_m REAL)""")
if mode == "attach":
    hp = "/tmp/anxin-fold-cost-hist.db"
    for ext in ["", "-wal", "-shm"]:
        try: os.remove(hp + ext)
        except FileNotFoundError: pass
    h = sqlite3.connect(hp, isolation_level=None); h.execute("PRAGMA journal_mode=WAL")
    h.execute("""CREATE TABLE readings (device_ref INTEGER NOT NULL, kind INTEGER NOT NULL, measured_at INTEGER NOT NULL,
 value REAL NOT NULL, received_lag INTEGER NOT NULL, flags INTEGER NOT NULL, lon REAL, accuracy_m REAL,
 PRIMARY KEY (device_ref, kind, measured_at, value)) WITHOUT ROWID"""); h.close()
f = sqlite3.connect(path, isolation_level=None); f.execute("PRAGMA cache_size=-16384")
target = "main.readings"
if mode == "attach":
    f.execute(f"ATTACH '{hp}' AS hist"); f.execute("PRAGMA hist.cache_size=-16384"); f.execute("PRAGMA hist.synchronous=NORMAL"); target = "hist.readings"
t = 1_795_000_000_000; per = rate // 10; fcpu = 0.0; worst = 0.0; n = 0
for step in range(secs * 10):
    rows = [(random.randrange(devices), random.randrange(4), t + step * 100 + i % 100, 60 + (i % 40), 5, 0, None, None) for i in range(per)]
    c.execute("BEGIN IMMEDIATE"); c.executemany("INSERT INTO stage VALUES (?,?,?,?,?,?,?,?)", rows); c.execute("COMMIT")
    n += per
    if step % every == every - 1:
        p0 = time.process_time(); w0 = time.time()
        lo, hi = f.execute("SELECT min(rowid), max(rowid) FROM stage").fetchone()
        f.execute("BEGIN" if mode == "attach" else "BEGIN IMMEDIATE")
        f.execute(f"INSERT OR IGNORE INTO {target} SELECT device_ref, kind, measured_at, value, received_lag, flags, lon, accuracy_m FROM main.stage WHERE rowid BETWEEN ? AND ? ORDER BY device_ref, kind, measured_at, value", (lo, hi))
        if mode != "attach": f.execute("DELETE FROM main.stage WHERE rowid BETWEEN ? AND ?", (lo, hi))
        f.execute("COMMIT")
        if mode == "attach":
            f.execute("BEGIN IMMEDIATE"); f.execute("DELETE FROM main.stage WHERE rowid BETWEEN ? AND ?", (lo, hi)); f.execute("COMMIT")
        fcpu += time.process_time() - p0; worst = max(worst, time.time() - w0)
print(f"{mode}: fold cpu {fcpu:.2f}s for {n} rows = {fcpu/n*1e6:.2f} us/row, worst fold {worst*1000:.0f} ms")
