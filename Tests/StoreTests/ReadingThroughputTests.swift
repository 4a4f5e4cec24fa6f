import AnxinCore
import Foundation
import XCTest

@testable import Store

/// Measures the readings hot path; prints numbers, asserts only correctness.
final class ReadingThroughputTests: XCTestCase {
    func testHundredThousandReadingsInThousandRowBatches() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        let devices = (0..<2_000).map { String(865_067_020_000_000 + $0) }
        let t0: EpochMillis = 1_763_770_000_000
        var batch: [Reading] = []
        batch.reserveCapacity(1_000)
        var stored = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<100_000 {
            let d = i % devices.count
            let round = EpochMillis(i / devices.count)
            let at = t0 + round * 60_000 + EpochMillis(d)
            let value: (ReadingKind, ReadingValue)
            switch (i / devices.count + d) % 6 {
            case 0: value = (.heartRate, .number(Double(60 + i % 40)))
            case 1: value = (.spo2, .number(Double(94 + i % 5)))
            case 2: value = (.systolic, .number(Double(110 + i % 30)))
            case 3: value = (.bodyTemp, .number(36.0 + Double(i % 10) / 10))
            case 4: value = (.steps, .number(Double(i % 5_000)))
            default:
                value = (
                    .location,
                    .location(Location(lat: 24.66 + Double(d) * 1e-4, lon: 102.59 + Double(d) * 1e-4, accuracyM: 20))
                )
            }
            batch.append(
                Reading(
                    device: devices[d], profile: "setracker-3g", kind: value.0, value: value.1, measuredAt: at,
                    receivedAt: at + 800))
            if batch.count == 1_000 {
                try store.inTransaction {
                    for r in batch where try store.appendReading(r) { stored += 1 }
                }
                batch.removeAll(keepingCapacity: true)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try store.checkpoint()
        let bytes = try store.databaseBytes()
        XCTAssertEqual(stored, 100_000)
        XCTAssertEqual(try store.readingCount(), 100_000)
        XCTAssertEqual(try store.devices().count, 2_000)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        print(
            String(
                format: "readings: %.0f rows/s (100000 rows, 1000-row transactions, 2000 devices)", 100_000 / seconds))
        print(
            String(
                format: "readings: %.1f bytes/reading on disk after checkpoint (%lld bytes)", Double(bytes) / 100_000,
                bytes))
    }
}
