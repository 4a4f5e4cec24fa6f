// anxin-foldbench: what moving staged readings into the history costs, per reading (issue 5).
//
// It stages the traffic of 10,000 wristbands (a message of four readings: heart rate, SpO2, systolic,
// diastolic) and folds it the way the gateway's folder does, `--messages K` messages per device between
// two folds, then reports µs per reading folded and bytes on disk per reading. The reference, measured in
// the same run on the same readings: the history as one row per reading in a table clustered by
// (device, kind, time, value), the layout before the blocks, its rows inserted sorted in 1,000-row
// durable transactions (the old fold's own writes, without its copy through a sorted temporary table).
//
//   swift build -c release --product anxin-foldbench && .build/release/anxin-foldbench [--messages 5] [--folds 8]
import AnxinCore
import CSQLite
import Foundation
import Store

var messagesPerFold = 5
var folds = 8
var devices = 10_000
var markdown = false
var withReference = true
/// --convert N: instead, time moving N rows of the old layout (devices × 4 kinds) into blocks.
var convertRows = 0
/// --seconds: measured times in whole seconds, as most wristbands report them (several messages of a
/// device share a second, and a fold's cut often falls inside one).
var wholeSeconds = false
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--messages": messagesPerFold = Int(args.next() ?? "") ?? messagesPerFold
    case "--folds": folds = Int(args.next() ?? "") ?? folds
    case "--devices": devices = Int(args.next() ?? "") ?? devices
    case "--markdown": markdown = true
    case "--no-reference": withReference = false
    case "--convert": convertRows = Int(args.next() ?? "") ?? convertRows
    case "--seconds": wholeSeconds = true
    default:
        FileHandle.standardError.write(
            Data("usage: anxin-foldbench [--messages K] [--folds N] [--devices D] [--seconds] [--markdown]\n".utf8))
        exit(2)
    }
}

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anxin-foldbench-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }

let t0: EpochMillis = 1_795_306_572_000
let kinds: [(ReadingKind, ClosedRange<Int>)] = [
    (.heartRate, 55...110), (.spo2, 93...99), (.systolic, 105...150), (.diastolic, 65...95),
]
var rng = SystemRandomNumberGenerator()
func device(_ i: Int) -> String { String(865_067_030_000_000 + i) }

/// The readings of one fold window: `messagesPerFold` messages from every device, a message every
/// 200 ms of a device's clock, in the order a broker would deliver them (devices interleaved).
func window(
    _ w: Int, devices: Int, messagesPerFold: Int, wholeSeconds: Bool, rng: inout SystemRandomNumberGenerator
) -> [Reading] {
    var out: [Reading] = []
    out.reserveCapacity(devices * messagesPerFold * kinds.count)
    for m in 0..<messagesPerFold {
        for d in 0..<devices {
            var at = t0 + EpochMillis((w * messagesPerFold + m) * 200 + d % 200)
            if wholeSeconds { at -= at % 1000 }
            for (kind, range) in kinds {
                out.append(
                    Reading(
                        device: device(d), profile: "imede", kind: kind,
                        value: .number(Double(Int.random(in: range, using: &rng))), measuredAt: at,
                        receivedAt: at + 300))
            }
        }
    }
    return out
}

/// Bytes of the pages in use in a closed database file: the file less its free pages (the stage's
/// pages, freed by each fold, are kept for the next readings).
func fileBytes(_ path: String) -> Int {
    var db: OpaquePointer?
    defer { sqlite3_close(db) }
    guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { return 0 }
    func pragma(_ name: String) -> Int {
        var s: OpaquePointer?
        defer { sqlite3_finalize(s) }
        guard sqlite3_prepare_v2(db, "PRAGMA \(name)", -1, &s, nil) == SQLITE_OK, sqlite3_step(s) == SQLITE_ROW
        else { return 0 }
        return Int(sqlite3_column_int64(s, 0))
    }
    return (pragma("page_count") - pragma("freelist_count")) * pragma("page_size")
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func f(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }

/// CPU time of this thread (user and system), ns: what a fold takes from the cores the broker, the
/// pipeline and the publisher share; its wall time also waits for the disk's fsyncs.
func cpu() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// The reference: one row per reading, clustered by (device, kind, time, value), as before the blocks.
final class RowPerReading {
    var db: OpaquePointer?
    var insert: OpaquePointer?
    var refs: [String: Int64] = [:]
    let path: String

    init(path: String) {
        self.path = path
        sqlite3_open(path, &db)
        exec("PRAGMA journal_mode = WAL")
        // The old fold committed each chunk durably (FULL), as the folder does its chunks now, so an
        // emergency's commit never has to flush the fold's pages.
        exec("PRAGMA synchronous = FULL")
        exec("PRAGMA cache_size = -16384")
        exec(
            """
            CREATE TABLE readings (
                device_ref INTEGER NOT NULL, kind INTEGER NOT NULL, measured_at INTEGER NOT NULL,
                value REAL NOT NULL, received_lag INTEGER NOT NULL, flags INTEGER NOT NULL, lon REAL,
                accuracy_m REAL, PRIMARY KEY (device_ref, kind, measured_at, value)) WITHOUT ROWID
            """)
        sqlite3_prepare_v2(
            db,
            "INSERT OR IGNORE INTO readings (device_ref, kind, measured_at, value, received_lag, flags) VALUES (?,?,?,?,?,0)",
            -1, &insert, nil)
    }

    func exec(_ sql: String) {
        if sqlite3_exec(db, sql, nil, nil, nil) != SQLITE_OK {
            fatalError("reference: \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    /// Inserts the rows sorted by the key, 1,000 per transaction.
    func fold(_ readings: [Reading]) {
        let rows = readings.map { r -> (Int64, Int64, Int64, Double, Int64) in
            let ref = refs[r.device] ?? Int64(refs.count + 1)
            refs[r.device] = ref
            return (ref, Int64(r.kind.rawValue), r.measuredAt, r.value.number ?? 0, r.receivedAt - r.measuredAt)
        }.sorted { ($0.0, $0.1, $0.2, $0.3) < ($1.0, $1.1, $1.2, $1.3) }
        var i = 0
        while i < rows.count {
            exec("BEGIN")
            for row in rows[i..<min(rows.count, i + 1000)] {
                sqlite3_bind_int64(insert, 1, row.0)
                sqlite3_bind_int64(insert, 2, row.1)
                sqlite3_bind_int64(insert, 3, row.2)
                sqlite3_bind_double(insert, 4, row.3)
                sqlite3_bind_int64(insert, 5, row.4)
                sqlite3_step(insert)
                sqlite3_reset(insert)
            }
            exec("COMMIT")
            i += 1000
        }
        exec("PRAGMA wal_checkpoint(PASSIVE)")
    }

    func close() {
        exec("PRAGMA wal_checkpoint(TRUNCATE)")
        sqlite3_finalize(insert)
        sqlite3_close(db)
    }
}

let store = try Store(path: dir.appendingPathComponent("anxin.db").path)
if convertRows > 0 {
    // The rows an earlier version stored, a row each, written straight into `readings`; device rows
    // first, through the store.
    for d in 0..<devices {
        try store.appendReading(
            Reading(
                device: device(d), profile: "imede", kind: .steps, value: .number(0), measuredAt: t0, receivedAt: t0))
    }
    var db: OpaquePointer?
    sqlite3_open(dir.appendingPathComponent("anxin.db").path, &db)
    sqlite3_exec(db, "BEGIN", nil, nil, nil)
    var insert: OpaquePointer?
    sqlite3_prepare_v2(
        db, "INSERT INTO readings (device_ref, kind, measured_at, value, received_lag, flags) VALUES (?,?,?,?,300,0)",
        -1,
        &insert, nil)
    let perGroup = max(1, convertRows / (devices * kinds.count))
    for d in 0..<devices {
        for (kind, range) in kinds {
            for n in 0..<perGroup {
                sqlite3_bind_int64(insert, 1, Int64(d + 1))
                sqlite3_bind_int64(insert, 2, Int64(kind.rawValue))
                sqlite3_bind_int64(insert, 3, t0 - Int64(perGroup - n) * 60_000)
                sqlite3_bind_double(insert, 4, Double(Int.random(in: range, using: &rng)))
                sqlite3_step(insert)
                sqlite3_reset(insert)
            }
        }
    }
    sqlite3_finalize(insert)
    sqlite3_exec(db, "COMMIT", nil, nil, nil)
    sqlite3_close(db)
    let start = now()
    let startCPU = cpu()
    var moved = 0
    while case let n = try store.convertEarlierReadings(maxRows: 2_000), n > 0 { moved += n }
    let wall = Double(now() - start) / 1e9
    let used = Double(cpu() - startCPU) / 1e9
    print(
        "converted \(moved) rows (\(devices) devices × \(kinds.count) kinds × \(perGroup)) in \(f(wall, 2)) s wall, "
            + "\(f(used, 2)) s CPU: \(Int(Double(moved) / wall)) rows/s, \(f(used * 1e6 / Double(moved))) µs CPU a row; "
            + "readings now \(try store.readingCount())")
    exit(0)
}
let reference = RowPerReading(path: dir.appendingPathComponent("reference.db").path)
var blockNs: UInt64 = 0
var blockCPU: UInt64 = 0
var referenceCPU: UInt64 = 0
/// Reading and sorting the stage, merging into blocks, deleting the stage, checkpointing.
var phases: [UInt64] = [0, 0, 0, 0]
var referenceNs: UInt64 = 0
/// CPU the pipeline's part takes: staging the readings, 1,000 to a transaction.
var stageCPU: UInt64 = 0
var folded = 0
var perFold: [(Double, Double)] = []
for w in 0..<folds {
    let readings = window(w, devices: devices, messagesPerFold: messagesPerFold, wholeSeconds: wholeSeconds, rng: &rng)
    var i = 0
    let stageStart = cpu()
    while i < readings.count {
        try store.inTransaction { try store.stageReadings(readings[i..<min(readings.count, i + 1000)]) }
        i += 1000
    }
    stageCPU += cpu() - stageStart
    // Alternate which goes first, so neither always finds the caches the other warmed.
    var b: UInt64 = 0
    var r: UInt64 = 0
    for first in (w % 2 == 0 ? [true, false] : [false, true]) {
        let start = now()
        let startCPU = cpu()
        if first {
            while var batch = try store.beginFold(maxRows: 1_000_000) {
                let sorted = now()
                while !batch.written { try store.foldStep(&batch, chunkRows: 1000) }
                let merged = now()
                try store.finishFold(batch, chunkRows: 1000)
                phases[0] += sorted - start
                phases[1] += merged - sorted
                phases[2] += now() - merged
                if !batch.more { break }
            }
            let c = now()
            try store.checkpointPassive()
            phases[3] += now() - c
            b = now() - start
            blockCPU += cpu() - startCPU
        } else if withReference {
            reference.fold(readings)
            r = now() - start
            referenceCPU += cpu() - startCPU
        }
    }
    blockNs += b
    referenceNs += r
    folded += readings.count
    perFold.append((Double(b) / Double(readings.count) / 1000, Double(r) / Double(readings.count) / 1000))
}
try store.checkpoint()
store.close()
reference.close()
let storedBytes = fileBytes(dir.appendingPathComponent("anxin.db").path)
let referenceBytes = fileBytes(reference.path)
let blockUs = Double(blockNs) / Double(folded) / 1000
let referenceUs = Double(referenceNs) / Double(folded) / 1000
// The first folds start from an empty table; the later ones are the steady state.
let steady = perFold.dropFirst(perFold.count / 2)
let steadyBlock = steady.map(\.0).reduce(0, +) / Double(max(1, steady.count))
let steadyReference = steady.map(\.1).reduce(0, +) / Double(max(1, steady.count))
let blockCPUUs = Double(blockCPU) / Double(folded) / 1000
let referenceCPUUs = Double(referenceCPU) / Double(folded) / 1000
let line =
    "devices=\(devices) messages/(device·fold)=\(messagesPerFold) folds=\(folds) readings=\(folded)\n"
    + "  blocks:           CPU \(f(blockCPUUs)) µs/reading, wall \(f(blockUs)) (second half \(f(steadyBlock))), "
    + "\(f(Double(storedBytes) / Double(folded), 1)) B/reading\n"
    + "  row per reading:  CPU \(f(referenceCPUUs)) µs/reading, wall \(f(referenceUs)) (second half \(f(steadyReference))), "
    + "\(f(Double(referenceBytes) / Double(folded), 1)) B/reading\n"
    + "  ratio blocks/rows: CPU \(f(blockCPUUs / referenceCPUUs)), wall \(f(blockUs / referenceUs)), bytes "
    + "\(f(Double(storedBytes) / Double(referenceBytes)))\n"
    + "  blocks' phases (wall µs/reading): read+sort \(f(Double(phases[0]) / Double(folded) / 1000)) "
    + "merge \(f(Double(phases[1]) / Double(folded) / 1000)) unstage \(f(Double(phases[2]) / Double(folded) / 1000)) "
    + "checkpoint \(f(Double(phases[3]) / Double(folded) / 1000))\n"
    + "  staging (the pipeline's part, before either): CPU \(f(Double(stageCPU) / Double(folded) / 1000)) µs/reading"
if markdown {
    print(
        "| \(devices) | \(messagesPerFold) | \(folded) | \(f(blockCPUUs)) | \(f(referenceCPUUs)) | "
            + "\(f(blockCPUUs / referenceCPUUs)) | \(f(blockUs)) | \(f(referenceUs)) | "
            + "\(f(Double(storedBytes) / Double(folded), 1)) | \(f(Double(referenceBytes) / Double(folded), 1)) |")
} else {
    print(line)
}
