import AnxinCore
import XCTest

@testable import Rules

/// Steps of the system clock (NTP fixing a wrong clock, `date -s`): wall-clock timers keep the time
/// they had left, in both directions.
final class ClockStepTests: XCTestCase {
    func testAStepForwardMakesNoDeviceSilentAndNoOutage() {
        let h = Harness()
        h.tick(t0)
        h.reading(.heartRate, 72, at: t0)
        for s in stride(from: t0 + second, through: t0 + 10 * minute, by: Int64.Stride(second)) { h.tick(s) }
        // The clock jumps an hour ahead between two ticks.
        let step = 60 * minute
        h.engine.clockJumped(by: step)
        XCTAssertEqual(h.tick(t0 + 10 * minute + second + step), [], "an hour that never passed is no silence")
        // Real time keeps counting: 30 min of connected silence after the last reading fires.
        XCTAssertEqual(h.tick(t0 + 29 * minute + step), [])
        let silent = h.tick(t0 + 30 * minute + step + second)
        XCTAssertEqual(silent.map(\.summary), ["open device_silent warning"])
    }

    func testAStepBackDoesNotHoldAnEscalationBack() {
        let h = Harness()
        h.tick(t0)
        let open = h.series(.heartRate, 150, from: t0, to: t0 + 2 * minute)
        XCTAssertEqual(open.map(\.summary), ["open heart_rate_high urgent"])
        // Opened at t0+2min, hotline step due 5 min later (t0+7min). At t0+3min the clock steps back 1 h.
        h.tick(t0 + 3 * minute)
        let step = -60 * minute
        h.engine.clockJumped(by: step)
        XCTAssertEqual(h.tick(t0 + 7 * minute + step - second), [])
        let esc = h.tick(t0 + 7 * minute + step)
        XCTAssertEqual(esc.map(\.summary), ["escalate heart_rate_high urgent hotline"])
        XCTAssertEqual(esc.first?.alertID, open.first?.alertID)
    }

    func testAStepForwardDoesNotFireAnEscalationEarly() {
        let h = Harness()
        h.tick(t0)
        _ = h.series(.heartRate, 150, from: t0, to: t0 + 2 * minute)
        h.tick(t0 + 3 * minute)
        let step = 10 * minute
        h.engine.clockJumped(by: step)
        XCTAssertEqual(h.tick(t0 + 3 * minute + step + second), [], "ten minutes that never passed")
        XCTAssertEqual(h.tick(t0 + 7 * minute + step - second), [])
        XCTAssertEqual(h.tick(t0 + 7 * minute + step).map(\.summary), ["escalate heart_rate_high urgent hotline"])
    }

    func testStateExportedAfterAStepKeepsTheShiftedTimes() {
        let h = Harness()
        h.tick(t0)
        _ = h.series(.heartRate, 150, from: t0, to: t0 + 2 * minute)
        h.engine.clockJumped(by: -60 * minute)
        let saved = h.engine.exportState()
        let again = Harness()
        again.engine.restoreState(saved)
        XCTAssertEqual(
            again.tick(t0 + 7 * minute - 60 * minute).map(\.summary), ["escalate heart_rate_high urgent hotline"])
    }

    /// Devices bound to no resident under ever new ids leave no state behind once nothing is in progress.
    func testUnboundDevicesUnderNewIdsDoNotGrowTheState() {
        let h = Harness(context: .unbound)
        h.tick(t0)
        for i in 0..<15_000 { h.reading(.heartRate, 72, at: t0 + EpochMillis(i), device: "spoof-\(i)") }
        XCTAssertEqual(h.engine.subjects.count, 0)
        XCTAssertEqual(h.engine.devices.count, RuleEngine.maxUnboundLiveness, "liveness of at most 10,000 unbound")
        XCTAssertEqual(h.engine.unboundLiveness, RuleEngine.maxUnboundLiveness)
        // An SOS from an unknown device still opens an alert, and its subject stays while it is open.
        let sos = h.event(.sos, at: t0 + 10 * second, device: "spoof-x")
        XCTAssertEqual(sos.map(\.summary), ["open sos critical hotline"])
        XCTAssertEqual(h.engine.subjects.count, 1)
    }
}
