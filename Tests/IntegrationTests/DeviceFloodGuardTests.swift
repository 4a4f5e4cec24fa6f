import XCTest

@testable import Gateway

/// The per-device token bucket: a burst, then the rate; devices apart; the table bounded.
final class DeviceFloodGuardTests: XCTestCase {
    func testABurstThenTheRateAndDevicesKeepTheirOwnBuckets() {
        var guardian = DeviceFloodGuard(ratePerSecond: 10, burst: 5, maxTracked: 100)
        let t: Int64 = 1_000_000
        XCTAssertEqual((0..<8).filter { _ in guardian.admit("W1", now: t) }.count, 5, "the burst")
        XCTAssertTrue(guardian.admit("W2", now: t), "another device has its own bucket")
        XCTAssertFalse(guardian.admit("W1", now: t + 50), "half a token back after 50 ms")
        XCTAssertTrue(guardian.admit("W1", now: t + 100), "a token back after 100 ms")
        XCTAssertFalse(guardian.admit("W1", now: t + 100))
        XCTAssertEqual((0..<10).filter { _ in guardian.admit("W1", now: t + 10_000) }.count, 5, "refilled to the burst")
        XCTAssertEqual(guardian.trackedDevices, 2)
    }

    func testPastMaxTrackedTheTableStartsAgain() {
        var guardian = DeviceFloodGuard(ratePerSecond: 1, burst: 1, maxTracked: 3)
        for d in 0..<3 { XCTAssertTrue(guardian.admit("D\(d)", now: 0)) }
        XCTAssertFalse(guardian.admit("D0", now: 0))
        XCTAssertTrue(guardian.admit("D3", now: 0), "a new device past the bound clears the table")
        XCTAssertEqual(guardian.trackedDevices, 1)
        XCTAssertTrue(guardian.admit("D0", now: 0), "its bucket started full again")
    }
}
