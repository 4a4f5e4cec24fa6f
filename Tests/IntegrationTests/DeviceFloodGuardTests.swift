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

    /// Against the token bucket written out per device, over random readings: runs of one device (a
    /// message's readings, which skip the lookup), devices interleaved, new devices past the bound, and
    /// pauses long enough for a sweep.
    func testAgreesWithABucketPerDevice() {
        var rng = SystemRandomNumberGenerator()
        var guardian = DeviceFloodGuard(ratePerSecond: 2, burst: 4, maxTracked: 6)
        var model: [String: (tokens: Double, at: Int64)] = [:]
        var lastSweep: Int64 = 0
        var now: Int64 = 1_000_000
        for step in 0..<20_000 {
            now += [0, 0, 10, 300, 61_000].randomElement(using: &rng)!
            if now - lastSweep >= 60_000 {
                lastSweep = now
                model = model.filter { now - $0.value.at < 2_000 }
            }
            let device = "D\(Int.random(in: 0..<9, using: &rng))"
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                if model[device] == nil {
                    if model.count >= 6 { model.removeAll() }
                    model[device] = (4, now)
                }
                var b = model[device]!
                b.tokens = min(4, b.tokens + Double(max(0, now - b.at)) * 2 / 1000)
                b.at = now
                let admitted = b.tokens >= 1
                if admitted { b.tokens -= 1 }
                model[device] = b
                XCTAssertEqual(guardian.admit(device, now: now), admitted, "step \(step)")
            }
            XCTAssertEqual(guardian.trackedDevices, model.count, "step \(step)")
        }
    }
}
