import AnxinCore
import XCTest

@testable import Gateway

/// The filter of byte-for-byte repeats: it agrees at every step with the rule written out plainly (the
/// device's previous message, within the window), and its sweep forgets devices not heard in a window.
final class RedeliveryFilterTests: XCTestCase {
    func check(_ f: inout RedeliveryFilter, _ device: String, _ payload: String, _ now: EpochMillis) -> Bool {
        let topic = Array("t/\(device)".utf8)
        let bytes = Array(payload.utf8)
        return topic.withUnsafeBytes { t in
            bytes.withUnsafeBytes { p in f.isRepeat(device: device, topic: t, payload: p, now: now) }
        }
    }

    func testAgreesWithThePlainRule() {
        var rng = SystemRandomNumberGenerator()
        var filter = RedeliveryFilter()
        var model: [String: (payload: String, at: EpochMillis)] = [:]
        var now: EpochMillis = 1_000_000
        var repeats = 0
        for step in 0..<30_000 {
            now += EpochMillis.random(in: 0...40, using: &rng)
            let device = "D\(Int.random(in: 0..<500, using: &rng))"
            let payload = "p\(Int.random(in: 0..<3, using: &rng))"
            let expected = model[device].map { $0.payload == payload && now - $0.at < RedeliveryFilter.window } ?? false
            XCTAssertEqual(check(&filter, device, payload, now), expected, "step \(step)")
            if expected { repeats += 1 } else { model[device] = (payload, now) }
        }
        XCTAssertGreaterThan(repeats, 1_000, "the walk made repeats")
        // A window later with nothing heard, the next message sweeps every device away but itself.
        now += RedeliveryFilter.window
        XCTAssertFalse(check(&filter, "D0", "p0", now))
        XCTAssertEqual(filter.trackedDevices, 1)
        XCTAssertTrue(check(&filter, "D0", "p0", now + 1), "a redelivery right after")
        XCTAssertFalse(check(&filter, "D0", "p1", now + 2), "another message")
        XCTAssertFalse(check(&filter, "D0", "p0", now + 3), "only the previous message is compared")
    }
}
