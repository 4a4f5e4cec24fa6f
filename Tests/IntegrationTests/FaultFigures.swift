import AnxinCore
import AnxinTesting
import Foundation
import Store
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

    /// Reads every heart-rate reading of `load`'s devices (through a read-only `Store`, so it works while
    /// the gateway runs; staged readings count, they are committed).
    static func read(database path: String, load: LoadPublisher) throws -> StoredLoad {
        var stored = StoredLoad()
        let store = try Store(path: path, readOnly: true)
        defer { store.close() }
        let prefix = String(load.deviceID(0).prefix(4))
        for device in try store.devices().map(\.device) where device.hasPrefix(prefix) {
            for r in try store.readings(device: [device], kind: .heartRate, since: 0, limit: .max) {
                guard let seq = load.seq(device: device, measuredAt: r.measuredAt) else {
                    stored.strays += 1
                    continue
                }
                stored.copies[seq, default: 0] += 1
                stored.receivedAt[seq] = r.receivedAt
            }
        }
        return stored
    }

    /// Whether a heart-rate reading of `device` measured at `measuredAt` is stored.
    static func contains(database path: String, device: String, measuredAt: EpochMillis) throws -> Bool {
        let store = try Store(path: path, readOnly: true)
        defer { store.close() }
        return try store.readings(device: [device], kind: .heartRate, since: measuredAt, limit: .max)
            .contains { $0.measuredAt == measuredAt }
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
