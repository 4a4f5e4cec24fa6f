import AnxinCore
import XCTest

@testable import Store

/// A size-capped store: staged readings (the pipeline's appends) fill it up to the cap, then fail with SQLITE_FULL; the reserve
/// frees room for alerts; a failed transaction leaves no trace.
final class StoreReserveTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000

    private func readings(_ n: Int, from: Int, device: String = "865067029999999") -> [Reading] {
        (from..<from + n).map {
            Reading(
                device: device, profile: "imede", kind: .heartRate, value: .number(Double(60 + $0 % 30)),
                measuredAt: t0 + EpochMillis($0) * 1000, receivedAt: t0 + EpochMillis($0) * 1000 + 200)
        }
    }

    func testCappedStoreFillsThenReserveMakesRoom() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.limitSize(pages: 6 * 256)
        XCTAssertTrue(store.refillReserve())
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.reserveFilePath))
        let written =
            try FileManager.default.attributesOfItem(atPath: store.reserveFilePath)[.modificationDate] as? Date
        XCTAssertTrue(store.refillReserve())
        XCTAssertEqual(
            try FileManager.default.attributesOfItem(atPath: store.reserveFilePath)[.modificationDate] as? Date,
            written,
            "a full reserve file is left as it is, not written again")
        var stored = 0
        var failure: SQLiteError?
        while failure == nil && stored < 1_000_000 {
            let chunk = readings(5000, from: stored)
            do {
                try store.inTransaction { for r in chunk { _ = try store.stageReading(r) } }
                stored += 5000
            } catch let e as SQLiteError {
                failure = e
            }
        }
        XCTAssertEqual(failure?.code, SQLiteError.full)
        // About 20 bytes a staged reading (a pack of one): 6 MB less the reserve holds well over 100,000.
        XCTAssertGreaterThan(stored, 100_000, "readings stored before the cap")
        XCTAssertEqual(try store.readingCount(), stored, "the failed transaction left nothing")
        XCTAssertTrue(store.releaseReserve())
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.reserveFilePath))
        // The freed pages take a chunk the full store refused.
        try store.inTransaction { for r in readings(5000, from: stored) { _ = try store.stageReading(r) } }
        XCTAssertFalse(store.refillReserve(), "no room to fill the reserve back")
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }
}
