import AnxinCore
import XCTest

@testable import Rules

final class HeartRateRuleTests: XCTestCase {
    func testHighHeartRateForThreeMinutesOpensOnceAfterTwo() {
        let h = Harness()
        let before = h.series(.heartRate, 150, from: t0, to: t0 + 110 * second)
        XCTAssertEqual(before, [], "nothing before 2 min of readings")
        let at2 = h.reading(.heartRate, 150, at: t0 + 120 * second)
        XCTAssertEqual(
            at2,
            [
                Decision(
                    action: .open, alertID: "A1", rule: "heart_rate_high", severity: .urgent, residentID: "R-0001",
                    device: "watch-1", trigger: .reading(.heartRate, 150), occurredAt: t0 + 120 * second,
                    toHotline: false)
            ])
        let rest = h.series(.heartRate, 150, from: t0 + 130 * second, to: t0 + 180 * second)
        XCTAssertEqual(rest, [])
        XCTAssertEqual(h.decisions.count, 1)
    }

    func testHysteresis125KeepsItOpenUnder120Resolves() {
        let h = Harness()
        h.series(.heartRate, 150, from: t0, to: t0 + 180 * second)
        XCTAssertEqual(h.reading(.heartRate, 125, at: t0 + 190 * second), [])
        XCTAssertEqual(h.reading(.heartRate, 120, at: t0 + 200 * second), [], "120 is not under 120")
        let r = h.reading(.heartRate, 118, at: t0 + 210 * second)
        XCTAssertEqual(r.map(\.summary), ["resolve heart_rate_high urgent"])
        XCTAssertEqual(r.first?.alertID, "A1")
        XCTAssertEqual(r.first?.trigger, .reading(.heartRate, 118))
        XCTAssertEqual(h.engine.unresolvedAlertIDs, [])
    }

    func testGapLongerThanFiveMinutesRestartsTheDuration() {
        let h = Harness()
        XCTAssertEqual(h.series(.heartRate, 150, from: t0, to: t0 + 90 * second), [])
        // 5 min 10 s gap: the next reading starts a new run even though 2 min have passed overall.
        XCTAssertEqual(h.series(.heartRate, 150, from: t0 + 400 * second, to: t0 + 510 * second), [])
        let opened = h.reading(.heartRate, 150, at: t0 + 520 * second)
        XCTAssertEqual(opened.map(\.summary), ["open heart_rate_high urgent"])
    }

    func testGapOfExactlyFiveMinutesStillCounts() {
        let h = Harness()
        h.reading(.heartRate, 150, at: t0)
        XCTAssertEqual(h.reading(.heartRate, 150, at: t0 + 5 * minute).map(\.summary), ["open heart_rate_high urgent"])
    }

    func testANonQualifyingReadingBreaksTheRun() {
        let h = Harness()
        h.series(.heartRate, 150, from: t0, to: t0 + 100 * second)
        h.reading(.heartRate, 125, at: t0 + 110 * second)
        XCTAssertEqual(h.series(.heartRate, 150, from: t0 + 120 * second, to: t0 + 230 * second), [])
        XCTAssertEqual(
            h.reading(.heartRate, 150, at: t0 + 240 * second).map(\.summary), ["open heart_rate_high urgent"])
    }

    func testSingleReadingNeverSatisfiesADuration() {
        let h = Harness()
        XCTAssertEqual(h.reading(.heartRate, 190, at: t0), [])
        XCTAssertEqual(h.reading(.heartRate, 80, at: t0 + 3 * minute), [])
        XCTAssertEqual(h.decisions, [])
    }

    func testLowHeartRate() {
        let h = Harness()
        let d = h.series(.heartRate, 38, from: t0, to: t0 + 2 * minute)
        XCTAssertEqual(d.map(\.summary), ["open heart_rate_low urgent"])
        XCTAssertEqual(h.reading(.heartRate, 45, at: t0 + 130 * second), [])
        XCTAssertEqual(
            h.reading(.heartRate, 46, at: t0 + 140 * second).map(\.summary), ["resolve heart_rate_low urgent"])
    }

    func testOlderBufferedReadingIsNotJudgedAgain() {
        let h = Harness()
        h.series(.heartRate, 150, from: t0, to: t0 + 2 * minute)
        XCTAssertEqual(h.reading(.heartRate, 60, at: t0 + 30 * second), [], "an older sample does not resolve")
        XCTAssertEqual(h.engine.unresolvedAlertIDs, ["A1"])
    }

    func testNewBreachAfterAutoResolveOpensANewAlert() {
        let h = Harness()
        h.series(.heartRate, 150, from: t0, to: t0 + 2 * minute)
        h.reading(.heartRate, 100, at: t0 + 3 * minute)
        let again = h.series(.heartRate, 150, from: t0 + 4 * minute, to: t0 + 6 * minute)
        XCTAssertEqual(again.map(\.alertID), ["A2"])
        XCTAssertEqual(again.map(\.action), [.open])
    }
}
