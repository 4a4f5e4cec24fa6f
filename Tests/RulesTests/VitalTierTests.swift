import AnxinCore
import XCTest

@testable import Rules

final class VitalTierTests: XCTestCase {
    @discardableResult
    func bp(_ h: Harness, _ sys: Double, _ dia: Double, at t: EpochMillis) -> [Decision] {
        h.reading(.systolic, sys, at: t) + h.reading(.diastolic, dia, at: t)
    }

    func testSystolic230OpensCriticalCrisisToHotlineAndNoBpHigh() {
        let h = Harness()
        let d = bp(h, 230, 100, at: t0)
        XCTAssertEqual(
            d,
            [
                Decision(
                    action: .open, alertID: "A1", rule: "bp_crisis", severity: .critical, residentID: "R-0001",
                    device: "watch-1", trigger: .reading(.systolic, 230), occurredAt: t0, toHotline: true)
            ])
    }

    /// A crisis reading stamped a moment before a normal one already judged (a watch with
    /// second-resolution time after a receive-time reading) still opens the crisis.
    func testLateCrisisReadingStillFires() {
        let h = Harness()
        XCTAssertEqual(bp(h, 120, 80, at: t0 + 500), [])
        XCTAssertEqual(bp(h, 230, 100, at: t0).map(\.summary), ["open bp_crisis critical hotline"])
        XCTAssertEqual(bp(h, 120, 80, at: t0 + 400), [], "a late normal reading does not clear it")
    }

    /// A buffered upload of 3 minutes at 150 bpm arriving after a live reading is judged on its
    /// own measured times: exactly one heart_rate_high opens.
    func testLateBufferedRunStillFiresItsDuration() {
        let h = Harness()
        XCTAssertEqual(h.reading(.heartRate, 70, at: t0 + 10 * minute), [])
        var opened: [String] = []
        for k in 0...9 {
            opened += h.reading(.heartRate, 150, at: t0 + EpochMillis(k) * 20_000).map(\.summary)
        }
        XCTAssertEqual(opened, ["open heart_rate_high urgent"])
        XCTAssertEqual(h.reading(.heartRate, 150, at: t0 + 200_000), [], "the same backlog does not open twice")
    }

    func testBpHighThenCrisisThenBothResolve() {
        let h = Harness()
        XCTAssertEqual(bp(h, 185, 90, at: t0).map(\.summary), ["open bp_high urgent"])
        XCTAssertEqual(bp(h, 230, 100, at: t0 + 10 * minute).map(\.summary), ["open bp_crisis critical hotline"])
        XCTAssertEqual(
            bp(h, 170, 105, at: t0 + 20 * minute).map(\.summary), ["resolve bp_crisis critical"],
            "170/105 clears the crisis (< 180 and < 110) but not bp_high (< 160 and < 100)")
        XCTAssertEqual(bp(h, 150, 95, at: t0 + 30 * minute).map(\.summary), ["resolve bp_high urgent"])
    }

    func testDiastolicAloneFiresBpHigh() {
        let h = Harness()
        let d = bp(h, 150, 112, at: t0)
        XCTAssertEqual(d.map(\.summary), ["open bp_high urgent"])
        XCTAssertEqual(d.first?.trigger, .reading(.diastolic, 112))
    }

    func testRepeatedBreachWhileOpenUpdates() {
        let h = Harness()
        bp(h, 185, 90, at: t0)
        let again = bp(h, 190, 90, at: t0 + 60 * minute)
        XCTAssertEqual(again.map(\.action), [.update])
        XCTAssertEqual(again.map(\.alertID), ["A1"])
        XCTAssertEqual(again.first?.trigger, .reading(.systolic, 190))
    }

    func testBpLow() {
        let h = Harness()
        XCTAssertEqual(bp(h, 88, 60, at: t0).map(\.summary), ["open bp_low urgent"])
        XCTAssertEqual(bp(h, 100, 60, at: t0 + 10 * minute), [])
        XCTAssertEqual(bp(h, 101, 60, at: t0 + 20 * minute).map(\.summary), ["resolve bp_low urgent"])
    }

    func testSpo2CriticalSuppressesSpo2LowThenLowTakesOver() {
        let h = Harness()
        XCTAssertEqual(h.series(.spo2, 84, from: t0, to: t0 + 50 * second), [])
        let d = h.reading(.spo2, 84, at: t0 + 60 * second)
        XCTAssertEqual(d.map(\.summary), ["open spo2_critical critical hotline"])
        XCTAssertEqual(h.series(.spo2, 84, from: t0 + 70 * second, to: t0 + 3 * minute), [])
        // 90 clears the critical tier (>= 90) yet is still <= 91: spo2_low's run was there all along.
        let recover = h.reading(.spo2, 90, at: t0 + 190 * second)
        XCTAssertEqual(recover.map(\.summary), ["resolve spo2_critical critical", "open spo2_low urgent"])
        XCTAssertEqual(h.reading(.spo2, 93, at: t0 + 200 * second), [])
        XCTAssertEqual(h.reading(.spo2, 94, at: t0 + 210 * second).map(\.summary), ["resolve spo2_low urgent"])
    }

    func testSpo2LowForOneMinute() {
        let h = Harness()
        XCTAssertEqual(h.series(.spo2, 90, from: t0, to: t0 + 50 * second), [])
        XCTAssertEqual(h.reading(.spo2, 90, at: t0 + 60 * second).map(\.summary), ["open spo2_low urgent"])
    }

    func testOverrideHeartRateHigh140() {
        let h = Harness(context: SubjectContext(residentID: "R-0002", thresholds: ["heart_rate_high": 140]))
        XCTAssertEqual(h.series(.heartRate, 135, from: t0, to: t0 + 3 * minute), [])
        let d = h.series(.heartRate, 141, from: t0 + 190 * second, to: t0 + 310 * second)
        XCTAssertEqual(d.map(\.summary), ["open heart_rate_high urgent"])
        XCTAssertEqual(d.first?.residentID, "R-0002")
    }

    func testOverrideOfOneBloodPressureMeasure() {
        let h = Harness(context: SubjectContext(residentID: "R-3", thresholds: ["bp_high.systolic": 170]))
        XCTAssertEqual(bp(h, 172, 80, at: t0).map(\.summary), ["open bp_high urgent"])
    }

    func testInvalidOverrideIsIgnoredByTheEngine() {
        let h = Harness(context: SubjectContext(residentID: "R-4", thresholds: ["heart_rate_high": 100]))
        XCTAssertEqual(h.series(.heartRate, 125, from: t0, to: t0 + 3 * minute), [])
    }

    func testValidateOverrides() {
        let rules = RuleSet.shipped
        XCTAssertEqual(
            rules.validate(thresholds: [
                "heart_rate_high": 140, "heart_rate_low": 45, "bp_high.systolic": 170, "bp_high.diastolic": 105,
                "bp_crisis.systolic": 200, "bp_crisis.diastolic": 115, "bp_low.systolic": 95, "spo2_low": 92,
                "spo2_critical": 88, "low_battery": 10,
            ]), [])
        let problems = rules.validate(thresholds: [
            "heart_rate_high": 115, "spo2_low": 94, "bp_high.systolic": 150, "heart_rate_low": 46, "pulse_max": 120,
        ])
        XCTAssertEqual(problems.count, 5)
        XCTAssertEqual(
            problems[0],
            "threshold bp_high.systolic = 150 is below its clear limit (clears when < 160), so the alert could never stay open"
        )
        XCTAssertEqual(
            problems[1],
            "threshold heart_rate_high = 115 is below its clear limit (clears when < 120), so the alert could never stay open"
        )
        XCTAssertEqual(
            problems[2],
            "threshold heart_rate_low = 46 is above its clear limit (clears when > 45), so the alert could never stay open"
        )
        XCTAssertTrue(problems[3].hasPrefix("unknown threshold 'pulse_max' (known: "), problems[3])
        XCTAssertEqual(
            problems[4],
            "threshold spo2_low = 94 is above its clear limit (clears when >= 94), so the alert could never stay open")
    }

    func testThresholdKeysOfShippedRules() {
        let keys = RuleSet.shipped.thresholdKeys
        for k in [
            "heart_rate_high", "heart_rate_low", "bp_high.systolic", "bp_high.diastolic", "bp_crisis.systolic",
            "bp_crisis.diastolic", "bp_low.systolic", "bp_low", "spo2_low", "spo2_critical", "low_battery",
        ] {
            XCTAssertTrue(keys.contains(k), k)
        }
        XCTAssertFalse(keys.contains("bp_high"), "a two-measure rule needs the measure in the key")
    }
}
