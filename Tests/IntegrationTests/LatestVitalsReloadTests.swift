import AnxinCore
import XCTest

@testable import Gateway

/// The pipeline keeps residents' latest vitals by registry index; a reload moves them to the new indices.
final class LatestVitalsReloadTests: XCTestCase {
    func testAReloadMovesVitalsToTheNewIndicesAndDropsRemovedResidents() {
        let old = RegistrySnapshot(
            residents: [Resident(id: "R1", name: "A"), Resident(id: "R2", name: "B"), Resident(id: "R3", name: "C")],
            beds: [])
        let new = RegistrySnapshot(
            residents: [Resident(id: "R4", name: "D"), Resident(id: "R3", name: "C"), Resident(id: "R1", name: "A")],
            beds: [])
        var latest = Array(repeating: LatestVitals(), count: 3)
        func hr(_ v: Double) -> Reading {
            Reading(
                device: "W", profile: "imede", kind: .heartRate, value: .number(v), measuredAt: 1000, receivedAt: 1000)
        }
        let pool = LatestPool()
        latest[0].note(hr(71), in: pool)
        latest[1].note(hr(72), in: pool)
        latest[2].note(hr(73), in: pool)
        XCTAssertEqual(pool.liveSlots, 3)
        let moved = Pipeline.moveLatest(latest, from: old, to: new, pool: pool)
        XCTAssertEqual(moved.count, 3)
        XCTAssertTrue(moved[0].isEmpty, "R4 is new")
        XCTAssertEqual(pool.value(moved[1].values, .heartRate)?.value, 73, "R3")
        XCTAssertEqual(pool.value(moved[2].values, .heartRate)?.value, 71, "R1")
        XCTAssertFalse(moved.contains { pool.value($0.values, .heartRate)?.value == 72 }, "R2 left the registry")
        XCTAssertEqual(pool.liveSlots, 2, "R2's value went back to the pool")
    }
}
