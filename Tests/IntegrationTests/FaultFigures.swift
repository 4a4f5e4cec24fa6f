import AnxinCore
import AnxinTesting
import CSQLite
import Foundation
import XCTest

/// Prints one `FAULT-FIGURE <name> key=value …` line for `Scripts/faults.sh` to collect.
func faultFigure(_ name: String, _ values: KeyValuePairs<String, any CustomStringConvertible>) {
    let pairs = values.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    print("FAULT-FIGURE \(name) \(pairs)")
}

/// The load's heart-rate readings as the gateway stored them, read from its SQLite file (read-only, so it
/// works while the gateway runs).
struct StoredLoad {
    /// Rows per message of the load (more than 1 is a duplicate).
    var copies: [Int: Int] = [:]
    /// When the gateway received each stored message (measured_at + received_lag).
    var receivedAt: [Int: EpochMillis] = [:]
    /// Heart-rate rows of the load's devices that match no message (a wrong timestamp, a corrupt row).
    var strays = 0

    var duplicates: Int { copies.values.reduce(0) { $0 + $1 - 1 } }

    /// Reads every heart-rate row of `load`'s devices.
    static func read(database path: String, load: LoadPublisher) throws -> StoredLoad {
        var stored = StoredLoad()
        try SQLiteReader.rows(
            database: path,
            """
            SELECT d.device, r.measured_at, r.received_lag FROM readings r JOIN devices d ON d.id = r.device_ref
            WHERE r.kind = \(ReadingKind.heartRate.rawValue)
            """
        ) { device, measuredAt, lag in
            guard let seq = load.seq(device: device, measuredAt: measuredAt) else {
                if device.hasPrefix(String(load.deviceID(0).prefix(4))) { stored.strays += 1 }
                return
            }
            stored.copies[seq, default: 0] += 1
            stored.receivedAt[seq] = measuredAt + lag
        }
        return stored
    }

    /// Whether a heart-rate reading of `device` measured at `measuredAt` is stored.
    static func contains(database path: String, device: String, measuredAt: EpochMillis) throws -> Bool {
        var found = false
        try SQLiteReader.rows(
            database: path,
            """
            SELECT d.device, r.measured_at, 0 FROM readings r JOIN devices d ON d.id = r.device_ref
            WHERE r.kind = \(ReadingKind.heartRate.rawValue) AND d.device = '\(device)'
              AND r.measured_at = \(measuredAt)
            """
        ) { _, _, _ in found = true }
        return found
    }
}

/// Just enough of the sqlite3 C API to read rows of (text, integer, integer) from a read-only file.
enum SQLiteReader {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs a constant query; `row` gets columns 0 (text), 1 and 2 (integers).
    static func rows(database path: String, _ sql: String, row: (String, Int64, Int64) -> Void) throws {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            sqlite3_close(db)
            throw Failure(description: "cannot open \(path) read-only")
        }
        defer { sqlite3_close(db) }
        sqlite3_busy_timeout(db, 5_000)
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Failure(description: "cannot prepare a query: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return }
            guard step == SQLITE_ROW else {
                throw Failure(description: "query failed: \(String(cString: sqlite3_errmsg(db)))")
            }
            let text = sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? ""
            row(text, sqlite3_column_int64(statement, 1), sqlite3_column_int64(statement, 2))
        }
    }
}

extension GatewayHarness {
    /// The gateway's database file.
    var databasePath: String { dir.appendingPathComponent("anxin.db").path }

    /// Publishes a marker reading behind everything already acknowledged to the broker and waits until the
    /// gateway has stored it: the broker queues messages for the gateway's session in the order it took them,
    /// and the pipeline commits in arrival order, so by then everything before it is committed too.
    /// - Returns: whether the marker was stored within `timeout` seconds.
    func waitUntilCaughtUp(marker index: Int, timeout: Double = 40) async throws -> Bool {
        let device = "869800000000001"
        let measuredAt = EpochMillis(1_700_000_000 + index) * 1000
        try publish(
            topic: LoadPublisher.topic,
            "{\"IMEI\":\"\(device)\",\"data\":[{\"timestamp\":\(measuredAt / 1000),\"heartRate\":70}]}")
        return try await eventually(timeout) {
            (try? StoredLoad.contains(database: self.databasePath, device: device, measuredAt: measuredAt)) ?? false
        }
    }
}
