import AnxinCore
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
        // A new seed each run, printed with every failure so it can be replayed.
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix64(seed: seed)
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
                XCTAssertEqual(guardian.admit(device, now: now), admitted, "seed \(seed) step \(step)")
            }
            XCTAssertEqual(guardian.trackedDevices, model.count, "seed \(seed) step \(step)")
        }
    }

    static func registry(_ devices: [String]) -> RegistrySnapshot {
        RegistrySnapshot(residents: devices.map { Resident(id: "R-\($0)", name: $0, devices: [$0]) }, beds: [])
    }

    /// A registered device's bucket is found by its position in the registry; a reload moves it with the
    /// device, so a flooding device gets no fresh burst from it, and one that left the registry keeps
    /// what it spent in the other table.
    func testARegisteredDeviceKeepsItsBucketAcrossAReload() throws {
        var guardian = DeviceFloodGuard(ratePerSecond: 10, burst: 3, maxTracked: 100)
        let old = Self.registry(["W1", "W2", "W3"])
        let w2 = try XCTUnwrap(old.binding(forDevice: "W2"))
        let w3 = try XCTUnwrap(old.binding(forDevice: "W3"))
        let t: Int64 = 1_000_000
        XCTAssertEqual((0..<5).filter { _ in guardian.admit(registered: w2.position, of: 3, now: t) }.count, 3)
        XCTAssertEqual((0..<5).filter { _ in guardian.admit(registered: w3.position, of: 3, now: t) }.count, 3)
        XCTAssertEqual(guardian.trackedDevices, 0, "registered devices take no room in the other table")
        // W2 moves to another position, W3 leaves the registry.
        let new = Self.registry(["W2", "W4", "W1"])
        guardian.registryChanged(from: old, to: new)
        let moved = try XCTUnwrap(new.binding(forDevice: "W2"))
        XCTAssertNotEqual(moved.position, w2.position)
        XCTAssertFalse(guardian.admit(registered: moved.position, of: 3, now: t), "no fresh burst from a reload")
        XCTAssertFalse(guardian.admit("W3", now: t), "W3's spent bucket went to the other table")
        XCTAssertEqual(guardian.trackedDevices, 1)
        let w4 = try XCTUnwrap(new.binding(forDevice: "W4"))
        XCTAssertTrue(guardian.admit(registered: w4.position, of: 3, now: t), "a new device starts full")
        XCTAssertTrue(guardian.admit(registered: moved.position, of: 3, now: t + 100), "a token back after 100 ms")
    }

    /// Against the token bucket written out per device, with some devices registered: runs of one device,
    /// devices interleaved, reloads that move, add and drop devices, pauses long enough for a sweep.
    func testRegisteredAndOtherDevicesAgreeWithABucketPerDevice() {
        // A new seed each run, printed with every failure so it can be replayed.
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix64(seed: seed)
        var guardian = DeviceFloodGuard(ratePerSecond: 2, burst: 4, maxTracked: 6)
        typealias B = (tokens: Double, at: Int64)
        var modelRegistered: [String: B] = [:]
        var modelOther: [String: B] = [:]
        var registry = Self.registry(["D0", "D1", "D2", "D3"])
        var lastSweep: Int64 = 0
        var now: Int64 = 1_000_000
        func take(_ b: inout B) -> Bool {
            b.tokens = min(4, b.tokens + Double(max(0, now - b.at)) * 2 / 1000)
            b.at = now
            if b.tokens < 1 { return false }
            b.tokens -= 1
            return true
        }
        for step in 0..<20_000 {
            now += [0, 0, 10, 300, 61_000].randomElement(using: &rng)!
            if Int.random(in: 0..<200, using: &rng) == 0 {
                let next = Self.registry(
                    (0..<9).map { "D\($0)" }.filter { _ in Bool.random(using: &rng) }.shuffled(using: &rng))
                // In the old registry's order, as the guard goes through them (the other table may fill).
                for d in registry.bindings.keys where next.binding(forDevice: d) == nil {
                    guard let b = modelRegistered.removeValue(forKey: d) else { continue }
                    if modelOther.count < 6 { modelOther[d] = b }
                }
                guardian.registryChanged(from: registry, to: next)
                registry = next
            }
            // The guard sweeps at its first reading after a minute, so after a reload between messages.
            if now - lastSweep >= 60_000 {
                lastSweep = now
                modelOther = modelOther.filter { now - $0.value.at < 2_000 }
            }
            let device = "D\(Int.random(in: 0..<9, using: &rng))"
            let binding = registry.binding(forDevice: device)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let admitted: Bool
                if let binding {
                    var b = modelRegistered[device] ?? (4, now)
                    admitted = take(&b)
                    modelRegistered[device] = b
                    XCTAssertEqual(
                        guardian.admit(registered: binding.position, of: registry.bindings.count, now: now), admitted,
                        "seed \(seed) step \(step)")
                } else {
                    if modelOther[device] == nil {
                        if modelOther.count >= 6 { modelOther.removeAll() }
                        modelOther[device] = (4, now)
                    }
                    admitted = take(&modelOther[device]!)
                    XCTAssertEqual(guardian.admit(device, now: now), admitted, "seed \(seed) step \(step)")
                }
            }
            XCTAssertEqual(guardian.trackedDevices, modelOther.count, "seed \(seed) step \(step)")
        }
    }
}
