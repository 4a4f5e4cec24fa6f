import AnxinCore
import Foundation
import Store
import XCTest

/// `anxin readings`: a device's history as CSV for operators (the blocks are not plain SQL rows).
final class ReadingsCommandTests: XCTestCase {
    func testPrintsADevicesReadingsNewestFirstAndRefusesBadOptions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anxin-rd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("anxin.db").path
        let cfg = dir.appendingPathComponent("anxin.yaml").path
        try "storage: {path: \(db)}\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        let t0: EpochMillis = 1_795_306_500_000
        let store = try Store(path: db)
        for i in 0..<5 {
            try store.appendReading(
                Reading(
                    device: "865067021234567", profile: "imede", kind: .heartRate, value: .number(Double(70 + i)),
                    measuredAt: t0 + EpochMillis(i) * 60_000, receivedAt: t0 + EpochMillis(i) * 60_000 + 1_500))
        }
        // One still staged (not yet folded), and a location.
        try store.inTransaction {
            try store.stageReading(
                Reading(
                    device: "865067021234567", profile: "imede", kind: .heartRate, value: .number(99),
                    measuredAt: t0 + 600_000, receivedAt: t0 + 600_000, flags: [.receiveTime]))
            try store.stageReading(
                Reading(
                    device: "865067021234567", profile: "imede", kind: .location,
                    value: .location(Location(lat: 24.67, lon: 102.59, accuracyM: 15, source: .gps)),
                    measuredAt: t0, receivedAt: t0))
        }
        store.close()

        let r = try runAnxin([
            "readings", "--config", cfg, "--device", "865067021234567", "--kind", "heart_rate", "--since",
            "2026-11-22T08:18:00+08:00", "--limit", "3",
        ])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(
            r.out.split(separator: "\n").map(String.init),
            [
                "device,kind,measured_at,received_at,value,lon,accuracy_m,flags",
                "865067021234567,heart_rate,\(Timestamp.iso8601(t0 + 600_000)),\(Timestamp.iso8601(t0 + 600_000)),99,,,receive_time",
                "865067021234567,heart_rate,\(Timestamp.iso8601(t0 + 240_000)),\(Timestamp.iso8601(t0 + 241_500)),74,,,",
                "865067021234567,heart_rate,\(Timestamp.iso8601(t0 + 180_000)),\(Timestamp.iso8601(t0 + 181_500)),73,,,",
            ])
        let all = try runAnxin(["readings", "--config", cfg, "--device", "865067021234567", "--since", "\(t0)"])
        XCTAssertEqual(all.status, 0, all.err)
        XCTAssertEqual(all.out.split(separator: "\n").count, 1 + 7)
        XCTAssertTrue(all.out.contains(",location,\(Timestamp.iso8601(t0)),\(Timestamp.iso8601(t0)),24.67,102.59,15,"))

        let badKind = try runAnxin(["readings", "--config", cfg, "--device", "x", "--kind", "pulse"])
        XCTAssertEqual(badKind.status, 1)
        XCTAssertTrue(badKind.err.contains("unknown kind 'pulse'"), badKind.err)
        let badSince = try runAnxin(["readings", "--config", cfg, "--device", "x", "--since", "yesterday"])
        XCTAssertEqual(badSince.status, 1)
        XCTAssertTrue(badSince.err.contains("neither an ISO 8601 time nor epoch milliseconds"), badSince.err)
        let elsewhere = dir.appendingPathComponent("elsewhere.yaml").path
        try "storage: {path: \(dir.appendingPathComponent("none.db").path)}\n".write(
            toFile: elsewhere, atomically: true, encoding: .utf8)
        let noDatabase = try runAnxin(["readings", "--config", elsewhere, "--device", "x"])
        XCTAssertEqual(noDatabase.status, 1)
        XCTAssertTrue(noDatabase.err.contains("cannot read the database"), noDatabase.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("none.db").path))
    }
}
