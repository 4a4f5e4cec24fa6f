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
        latest[0].note(hr(71))
        latest[1].note(hr(72))
        latest[2].note(hr(73))
        let moved = Pipeline.moveLatest(latest, from: old, to: new)
        XCTAssertEqual(moved.count, 3)
        XCTAssertTrue(moved[0].isEmpty, "R4 is new")
        XCTAssertEqual(moved[1].values[.heartRate]?.value, 73, "R3")
        XCTAssertEqual(moved[2].values[.heartRate]?.value, 71, "R1")
        XCTAssertFalse(moved.contains { $0.values[.heartRate]?.value == 72 }, "R2 left the registry")
    }
}
