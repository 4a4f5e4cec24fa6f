import AnxinCore
import XCTest

@testable import Rules

final class RuleStateTests: XCTestCase {
    func testHalfADurationSurvivesARestartAndOpensExactlyOnce() {
        let a = Harness()
        XCTAssertEqual(a.series(.heartRate, 150, from: t0, to: t0 + 60 * second), [])
        let saved = a.engine.exportState()
        XCTAssertNotNil(saved["subject:R-0001"])
        XCTAssertNotNil(saved["device:watch-1"])
        XCTAssertNotNil(saved["engine"])

        let b = Harness()
        b.engine.restoreState(saved)
        let rest = b.series(.heartRate, 150, from: t0 + 70 * second, to: t0 + 4 * minute)
        XCTAssertEqual(rest.map(\.summary), ["open heart_rate_high urgent"])
        XCTAssertEqual(rest.first?.occurredAt, t0 + 120 * second)
    }

    func testDrainedChangesRebuildTheSameStateAndKeepEscalation() {
        let a = Harness()
        var store: [String: [UInt8]] = [:]
        func drain() {
            for (key, blob) in a.engine.drainChangedState() {
                if let blob { store[key] = blob } else { store.removeValue(forKey: key) }
            }
        }
        a.tick(t0)
        a.series(.heartRate, 150, from: t0, to: t0 + 2 * minute)
        drain()
        XCTAssertEqual(a.engine.drainChangedState().count, 0, "nothing changed since the last drain")
        XCTAssertEqual(Set(store.keys), ["engine", "subject:R-0001", "device:watch-1"])

        let b = Harness()
        b.engine.restoreState(store)
        XCTAssertEqual(b.engine.unresolvedAlertIDs, ["A1"])
        // The open alert is updated, not reopened, and still escalates 5 min after it opened.
        XCTAssertEqual(b.series(.heartRate, 150, from: t0 + 130 * second, to: t0 + 3 * minute), [])
        XCTAssertEqual(b.tick(t0 + 7 * minute).map(\.summary), ["escalate heart_rate_high urgent hotline"])
        XCTAssertEqual(b.tick(t0 + 8 * minute), [])
        XCTAssertEqual(b.reading(.heartRate, 100, at: t0 + 9 * minute).map(\.alertID), ["A1"])
    }

    /// State decoded row by row (as the gateway reads it ahead, on its own thread) restores the same
    /// engine as the whole export: open alert, escalation, bed watch, unbound liveness, saving marks.
    func testStateDecodedRowByRowRestoresTheSameEngine() {
        let a = Harness()
        a.tick(t0)
        a.series(.heartRate, 150, from: t0, to: t0 + 2 * minute)
        let night = Timestamp.millis(
            year: 2026, month: 11, day: 23, hour: 2, minute: 0, second: 0, utcOffsetSeconds: chinaOffset)!
        a.reading(.inBed, 0, at: night, device: "bed-1")
        var saved = a.engine.exportState()
        saved["subject:broken"] = [0xB1, 0xff]
        saved["nonsense"] = [1]

        var decoded = RestoredRuleState(subjects: saved.count, devices: saved.count)
        for (key, blob) in saved.sorted(by: { $0.key < $1.key }) { decoded.add(key: key, blob: blob) }
        XCTAssertEqual(decoded.unreadable, 2)
        let b = Harness()
        b.engine.restore(decoded)
        let c = Harness()
        c.engine.restoreState(saved)

        XCTAssertEqual(b.engine.unresolvedAlertIDs, ["A1"])
        XCTAssertEqual(b.engine.unresolvedAlertIDs, c.engine.unresolvedAlertIDs)
        XCTAssertEqual(b.engine.stateCounts.subjects, c.engine.stateCounts.subjects)
        XCTAssertEqual(b.engine.stateCounts.devices, 2)
        // Alerts are embedded as JSON, whose key order differs from one encoding to the next: same keys,
        // same sizes.
        let (exportB, exportC) = (b.engine.exportState(), c.engine.exportState())
        XCTAssertEqual(exportB.mapValues(\.count), exportC.mapValues(\.count))
        XCTAssertEqual(exportB["device:bed-1"], exportC["device:bed-1"])
        // Marks as saved: nothing is due at once after either restore.
        XCTAssertEqual(b.engine.drainChangedState(monotonicNow: 0, lazyWithin: 10_000).count, 0)
        // Both go on alike: the escalation and the bed watch fire.
        let later = night + 15 * minute
        let fired = b.tick(later).map(\.summary)
        XCTAssertEqual(fired, c.tick(later).map(\.summary))
        XCTAssertTrue(fired.contains("open bed_exit_night urgent"), "\(fired)")
    }

    func testRestartDowntimeIsNotConnectedTime() {
        let a = Harness()
        a.tick(t0)
        a.reading(.heartRate, 70, at: t0)
        a.tick(t0 + 20 * minute)
        let saved = a.engine.exportState()
        let b = Harness()
        b.engine.restoreState(saved)
        // Down from minute 20 to minute 60; connected again from then on.
        for m in 60...69 { XCTAssertEqual(b.tick(t0 + EpochMillis(m) * minute), [], "minute \(m)") }
        XCTAssertEqual(b.tick(t0 + 70 * minute).map(\.summary), ["open device_silent warning"])
    }

    func testBedWatchSurvivesARestart() {
        let a = Harness()
        let night = Timestamp.millis(
            year: 2026, month: 11, day: 23, hour: 2, minute: 0, second: 0, utcOffsetSeconds: chinaOffset)!
        a.reading(.inBed, 0, at: night, device: "bed-1")
        let b = Harness()
        b.engine.restoreState(a.engine.exportState())
        XCTAssertEqual(b.tick(night + 15 * minute).map(\.summary), ["open bed_exit_night urgent"])
    }

    func testReplaceKeepsState() {
        let h = Harness()
        h.series(.heartRate, 150, from: t0, to: t0 + 60 * second)
        h.engine.replace(rules: RuleSet.shipped)
        XCTAssertEqual(
            h.series(.heartRate, 150, from: t0 + 70 * second, to: t0 + 120 * second).map(\.summary),
            ["open heart_rate_high urgent"])
    }

    func testResolvedAlertLeavesNoIndexAfterRestore() {
        let a = Harness()
        a.event(.sos, at: t0)
        XCTAssertTrue(a.engine.resolve(alertID: "A1", at: t0 + minute))
        let b = Harness()
        b.engine.restoreState(a.engine.exportState())
        XCTAssertEqual(b.engine.unresolvedAlertIDs, [])
        XCTAssertEqual(b.event(.sos, at: t0 + 2 * minute).map(\.action), [.open])
    }

    /// The subject visited last is reached without a lookup; any other change of the subjects forgets
    /// where it was: a copy of them made meanwhile keeps its own values, a removed subject is made
    /// anew, and growing the table (which moves every entry) is followed.
    func testVisitedSubjectFollowsCopiesRemovalsAndGrowth() {
        let h = Harness()
        let minute: EpochMillis = 60_000
        func heartRate() -> Double? { h.engine.latestValues(of: "R-0001")[.heartRate]?.value }
        _ = h.reading(.heartRate, 80, at: t0)
        XCTAssertEqual(h.engine.visited?.key, "R-0001")
        let copy = h.engine.subjects
        // A high rate starts a run: the subject's own state changes (its values live in the pool).
        _ = h.reading(.heartRate, 150, at: t0 + minute)
        XCTAssertEqual(heartRate(), 150)
        XCTAssertEqual(h.engine.subjects["R-0001"]?.progress.isEmpty, false, "a run in progress")
        XCTAssertEqual(copy["R-0001"]?.progress.isEmpty, true, "the copy kept its own state")
        h.engine.subjects.removeValue(forKey: "R-0001")
        XCTAssertNil(h.engine.visited)
        _ = h.reading(.heartRate, 100, at: t0 + 2 * minute)
        XCTAssertEqual(heartRate(), 100)
        XCTAssertEqual(h.engine.latestValues(of: "R-0001").count, 1, "made anew")
        for i in 0..<5_000 { h.engine.subjects["X-\(i)"] = SubjectState(residentID: "X-\(i)") }
        XCTAssertNil(h.engine.visited)
        _ = h.reading(.heartRate, 110, at: t0 + 3 * minute)
        _ = h.reading(.heartRate, 120, at: t0 + 4 * minute)
        XCTAssertEqual(heartRate(), 120)
        XCTAssertNil(h.engine.latestValues(of: "X-7")[.heartRate], "no other subject written")
    }
}
