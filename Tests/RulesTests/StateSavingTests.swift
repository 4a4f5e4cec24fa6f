import AnxinCore
import XCTest

@testable import Rules

/// Rule state is saved at the next commit when it matters after a restart, and within a bound when
/// it is progress only (the pipeline's `progressSavedWithinMs`).
final class StateSavingTests: XCTestCase {
    let within: EpochMillis = 10_000

    /// Keys drained at monotonic time `mono`, applied to `store` like the pipeline does.
    func drain(_ h: Harness, at mono: EpochMillis, into store: inout [String: [UInt8]]) -> Set<String> {
        var keys: Set<String> = []
        for (key, blob) in h.engine.drainChangedState(monotonicNow: mono, lazyWithin: within) {
            keys.insert(key)
            if let blob { store[key] = blob } else { store.removeValue(forKey: key) }
        }
        return keys
    }

    /// A subject and a device with the same text are two keys, each saved, waiting and deleted on its own.
    func testSubjectAndDeviceOfTheSameTextAreApart() {
        let engine = Harness().engine
        var out: [String: [UInt8]?] = [:]
        func drain(_ mono: EpochMillis) -> [String] {
            let drained = engine.drainChangedState(monotonicNow: mono, lazyWithin: 10)
            for (k, b) in drained { out[k] = b }
            return drained.map(\.key).sorted()
        }
        engine.subjects["X"] = SubjectState(residentID: "R-1")
        engine.devices["X"] = DeviceLiveness(
            lastHeard: 0, heardAtConnected: 0, residentID: "R-1", silenceReported: false)
        engine.markSubject("X")
        engine.markDevice("X")
        XCTAssertEqual(drain(0), ["device:X", "subject:X"], "new: saved at once")
        engine.devices["X"]?.lastHeard = 5
        engine.markDevice("X")
        XCTAssertEqual(drain(1), [], "progress waits")
        XCTAssertEqual(engine.devices["X"]?.waiting, true)
        XCTAssertEqual(engine.subjects["X"]?.waiting, false, "not the subject's")
        engine.subjects["X"]?.residentID = "R-2"
        engine.markSubject("X")
        XCTAssertEqual(drain(2), ["subject:X"], "the subject's own mark changed")
        XCTAssertEqual(drain(11), ["device:X"], "the device's wait is due")
        XCTAssertEqual(drain(100), [])

        // Dropped after it was saved: deleted once, at the next drain; the subject stays.
        engine.devices.removeValue(forKey: "X")
        engine.saving.dropped(.device("X"), wasSaved: true)
        engine.markDevice("X")
        XCTAssertEqual(drain(101), ["device:X"])
        XCTAssertEqual(out["device:X"], .some(nil))
        engine.markDevice("X")
        XCTAssertEqual(drain(102), [], "deleted already")
        // A subject dropped before it was ever saved is never written.
        engine.subjects["Y"] = SubjectState(residentID: nil)
        engine.dropSubject("Y")
        engine.markSubject("Y")
        XCTAssertEqual(drain(103), [])
        // What waits comes out with a full drain, and nothing afterwards.
        engine.setLatest(TimedValue(value: 70, at: 1), .heartRate, of: "X")
        engine.markSubject("X")
        XCTAssertEqual(drain(104), [])
        XCTAssertEqual(engine.drainChangedState().map(\.key), ["subject:X"])
        XCTAssertEqual(engine.drainChangedState().map(\.key), [])
        XCTAssertEqual(drain(1000), [], "its queued wait is stale")
    }

    func testProgressWaitsWhatMattersDoesNot() {
        let h = Harness()
        var store: [String: [UInt8]] = [:]
        h.reading(.heartRate, 80, at: t0)
        XCTAssertEqual(
            drain(h, at: 0, into: &store), ["subject:R-0001", "device:watch-1"], "a new subject is saved at once")
        // Normal readings: the device heard again, latest values: progress only.
        h.reading(.heartRate, 82, at: t0 + 10 * second)
        XCTAssertEqual(drain(h, at: 1000, into: &store), [])
        h.reading(.heartRate, 81, at: t0 + 20 * second)
        XCTAssertEqual(drain(h, at: 5000, into: &store), [])
        // Due once it has waited `within` since its first deferred change.
        XCTAssertTrue(h.engine.hasDeferredState(dueAt: 11_000, lazyWithin: within))
        XCTAssertEqual(drain(h, at: 11_000, into: &store), ["subject:R-0001", "device:watch-1"])
        XCTAssertFalse(h.engine.hasDeferredState(dueAt: 100_000, lazyWithin: within))

        // A breach starts a run: saved at the next commit.
        h.reading(.heartRate, 150, at: t0 + 30 * second)
        XCTAssertEqual(drain(h, at: 12_000, into: &store), ["subject:R-0001"])
        // Extending the run is progress.
        h.reading(.heartRate, 150, at: t0 + 40 * second)
        XCTAssertEqual(drain(h, at: 13_000, into: &store), [])
        // The run reaches its duration: the alert opens and is saved with its commit.
        let opened = h.series(.heartRate, 150, from: t0 + 50 * second, to: t0 + 150 * second)
        XCTAssertEqual(opened.map(\.summary), ["open heart_rate_high urgent"])
        XCTAssertEqual(drain(h, at: 14_000, into: &store), ["subject:R-0001"])
        // Everything waiting comes out with a full drain (shutdown).
        h.reading(.heartRate, 150, at: t0 + 160 * second)
        XCTAssertEqual(Set(h.engine.drainChangedState().map(\.key)), ["subject:R-0001", "device:watch-1"])
        XCTAssertEqual(drain(h, at: 100_000, into: &store), [], "nothing left to save")
    }

    /// A wait is saved within `within` of its start, never later and at most a second earlier (the
    /// engine sweeps its states for due waits at most once a second), and drains between sweeps do
    /// not look at every state.
    func testAWaitIsSavedWithinTheBoundAtMostASecondEarly() {
        for start: EpochMillis in [1, 999, 1_000, 1_001, 1_500, 2_999, 7_250] {
            let h = Harness()
            var store: [String: [UInt8]] = [:]
            h.reading(.heartRate, 80, at: t0)
            XCTAssertEqual(drain(h, at: 0, into: &store), ["subject:R-0001", "device:watch-1"])
            h.reading(.heartRate, 82, at: t0 + 10 * second)
            XCTAssertEqual(drain(h, at: start, into: &store), [], "progress waits from \(start)")
            var savedAt: EpochMillis?
            var mono = start + 100
            while mono <= start + within + 2_000 {
                let due = h.engine.hasDeferredState(dueAt: mono, lazyWithin: within)
                let keys = drain(h, at: mono, into: &store)
                XCTAssertEqual(due, !keys.isEmpty, "told due exactly when a drain saves, at \(mono)")
                if !keys.isEmpty {
                    XCTAssertEqual(keys, ["subject:R-0001", "device:watch-1"])
                    XCTAssertNil(savedAt, "saved once")
                    savedAt = mono
                }
                mono += 100
            }
            guard let savedAt else { return XCTFail("never saved (wait from \(start))") }
            XCTAssertLessThanOrEqual(savedAt, start + within, "never late (wait from \(start))")
            XCTAssertGreaterThanOrEqual(savedAt, start + within - 1_000, "at most a second early (from \(start))")
        }
    }

    /// Waits that all fall due together (a city's devices after a burst) are saved a slice at a time,
    /// each at most `maxSavesPerDrain`, in drains one after the other, every key once.
    func testWaitsDueTogetherAreSavedInSlices() {
        let engine = Harness().engine
        let rest = StateSaving.maxSavesPerDrain / 2 + 3
        let count = StateSaving.maxSavesPerDrain * 2 + rest
        for n in 0..<count {
            engine.subjects["S\(n)"] = SubjectState(residentID: "R-\(n)")
            engine.markSubject("S\(n)")
        }
        XCTAssertEqual(engine.drainChangedState(monotonicNow: 0, lazyWithin: within).count, count, "new: at once")
        for n in 0..<count {
            engine.setLatest(TimedValue(value: 70, at: 1), .heartRate, of: "S\(n)")
            engine.markSubject("S\(n)")
        }
        XCTAssertEqual(engine.drainChangedState(monotonicNow: 1_000, lazyWithin: within).count, 0, "progress waits")
        XCTAssertFalse(engine.stateSweepUnderWay)
        var saved: [String] = []
        var slices: [Int] = []
        var mono: EpochMillis = 11_000
        repeat {
            let slice = engine.drainChangedState(monotonicNow: mono, lazyWithin: within)
            slices.append(slice.count)
            saved += slice.map(\.key)
            mono += 10
        } while engine.stateSweepUnderWay && slices.count < 10
        XCTAssertEqual(slices, [StateSaving.maxSavesPerDrain, StateSaving.maxSavesPerDrain, rest])
        XCTAssertEqual(Set(saved).count, count, "every key once")
        XCTAssertFalse(engine.hasDeferredState(dueAt: mono + 60_000, lazyWithin: within))
        XCTAssertEqual(engine.drainChangedState(monotonicNow: mono + 60_000, lazyWithin: within).count, 0)
    }

    /// An alert's commit drains with `sweep: false`: what changed is saved, the progress that is due is
    /// left for the next drain, which saves it.
    func testDrainWithoutSweepLeavesDueProgressForTheNext() {
        let engine = Harness().engine
        for n in 0..<3 {
            engine.subjects["S\(n)"] = SubjectState(residentID: "R-\(n)")
            engine.markSubject("S\(n)")
        }
        XCTAssertEqual(engine.drainChangedState(monotonicNow: 0, lazyWithin: within).count, 3, "new: at once")
        for n in 0..<3 {
            engine.setLatest(TimedValue(value: 70, at: 1), .heartRate, of: "S\(n)")
            engine.markSubject("S\(n)")
        }
        XCTAssertEqual(engine.drainChangedState(monotonicNow: 1_000, lazyWithin: within).count, 0, "progress waits")
        // Due now; a new subject changed meanwhile is still saved at once.
        engine.subjects["S9"] = SubjectState(residentID: "R-9")
        engine.markSubject("S9")
        XCTAssertTrue(engine.hasDeferredState(dueAt: 11_000, lazyWithin: within))
        let first = engine.drainChangedState(monotonicNow: 11_000, lazyWithin: within, sweep: false)
        XCTAssertEqual(first.map(\.key), ["subject:S9"])
        XCTAssertTrue(engine.hasDeferredState(dueAt: 11_000, lazyWithin: within), "the due progress still waits")
        let next = engine.drainChangedState(monotonicNow: 11_010, lazyWithin: within)
        XCTAssertEqual(next.map(\.key).sorted(), ["subject:S0", "subject:S1", "subject:S2"])
        XCTAssertFalse(engine.hasDeferredState(dueAt: 11_010, lazyWithin: within))
    }

    /// While a key's progress waits to be saved, more progress does not mark it again (no work per
    /// reading at the commits), yet the save when due carries the newest progress, and a change that
    /// matters is still saved at the next commit.
    func testProgressIsNotMarkedAgainWhileItWaits() throws {
        let h = Harness()
        var store: [String: [UInt8]] = [:]
        h.reading(.heartRate, 80, at: t0)
        XCTAssertEqual(drain(h, at: 0, into: &store), ["subject:R-0001", "device:watch-1"])
        h.reading(.heartRate, 82, at: t0 + 10 * second)
        XCTAssertEqual(h.engine.changedSubjects, ["R-0001"], "the first change of progress is marked")
        XCTAssertEqual(drain(h, at: 1000, into: &store), [])
        XCTAssertEqual(h.engine.subjects["R-0001"]?.waiting, true)
        XCTAssertEqual(h.engine.devices["watch-1"]?.waiting, true)
        h.reading(.heartRate, 84, at: t0 + 20 * second)
        XCTAssertEqual(h.engine.changedSubjects, [], "progress while waiting: not marked")
        XCTAssertEqual(h.engine.changedDevices, [], "heard again while waiting: not marked")
        XCTAssertEqual(drain(h, at: 2000, into: &store), [])
        // Due: saved with the newest latest value and time heard.
        XCTAssertEqual(drain(h, at: 11_000, into: &store), ["subject:R-0001", "device:watch-1"])
        XCTAssertEqual(h.engine.subjects["R-0001"]?.waiting, false)
        let restored = Harness()
        restored.engine.restoreState(store)
        XCTAssertEqual(restored.engine.latestValues(of: "R-0001")[.heartRate]?.value, 84)
        XCTAssertEqual(restored.engine.devices["watch-1"]?.lastHeard, h.engine.devices["watch-1"]?.lastHeard)

        // Waiting again, then a breach starts a run: saved at the next commit all the same.
        h.reading(.heartRate, 86, at: t0 + 30 * second)
        XCTAssertEqual(drain(h, at: 12_000, into: &store), [])
        h.reading(.heartRate, 150, at: t0 + 40 * second)
        XCTAssertEqual(drain(h, at: 12_500, into: &store), ["subject:R-0001"], "a run start matters")
        // The run ends: that matters too.
        h.reading(.heartRate, 80, at: t0 + 50 * second)
        XCTAssertEqual(drain(h, at: 13_000, into: &store), ["subject:R-0001"], "a run end matters")
        // A crash now restores no run in progress.
        let after = Harness()
        after.engine.restoreState(store)
        XCTAssertEqual(after.engine.subjects["R-0001"]?.progress.count, 0)
    }

    /// A message's later observations skip the device lookup, but only while nothing else changed the
    /// device's liveness since the first.
    func testHeardAgainAtTheSameMomentIsSkippedOnlyWhileNothingChanged() {
        let h = Harness()
        h.reading(.heartRate, 80, at: t0)
        XCTAssertEqual(h.engine.heardNow?.device, "watch-1")
        h.reading(.spo2, 97, at: t0)
        XCTAssertEqual(h.engine.devices["watch-1"]?.lastHeard, t0)
        // Anything that changes `devices` (a tick reporting silence, a clock step, a restore) forgets it.
        h.engine.devices["watch-1"]?.silenceReported = true
        XCTAssertNil(h.engine.heardNow)
        h.engine.changedDevices.removeAll()
        h.engine.forgetMarks()
        h.reading(.systolic, 120, at: t0)
        XCTAssertEqual(h.engine.devices["watch-1"]?.silenceReported, false, "heard: the silence ends")
        XCTAssertEqual(h.engine.changedDevices, ["watch-1"], "the silence's end is marked to be saved")
    }

    func testSilenceReportedAndHeardAgainAreSavedAtOnce() {
        let h = Harness()
        var store: [String: [UInt8]] = [:]
        h.tick(t0)
        h.reading(.heartRate, 70, at: t0)
        _ = drain(h, at: 0, into: &store)
        let silent = h.tick(t0 + 70 * minute)
        XCTAssertEqual(silent.map(\.summary), ["open device_silent warning"])
        let keys = drain(h, at: 1000, into: &store)
        XCTAssertTrue(keys.contains("device:watch-1"), "silence reported: \(keys)")
        XCTAssertTrue(keys.contains("subject:device:watch-1"), "the silence alert: \(keys)")
        h.reading(.heartRate, 70, at: t0 + 71 * minute)
        let back = drain(h, at: 2000, into: &store)
        XCTAssertTrue(back.contains("device:watch-1"), "heard again ends the silence: \(back)")
    }

    /// A crash loses at most the progress of the last `within` ms: a run spanning a restart restored
    /// from what was saved still opens its alert at the same reading as without the restart.
    func testRunSpanningACrashOpensOnTimeFromSavedState() {
        let reference = Harness()
        let expected = reference.series(.heartRate, 150, from: t0, to: t0 + 4 * minute)
        XCTAssertEqual(expected.map(\.summary), ["open heart_rate_high urgent"])

        let a = Harness()
        var store: [String: [UInt8]] = [:]
        var mono: EpochMillis = 0
        var t = t0
        while t <= t0 + 60 * second {
            a.reading(.heartRate, 150, at: t)
            _ = drain(a, at: mono, into: &store)
            mono += 1000
            t += 10 * second
        }
        // Killed here: only what was drained survives.
        let b = Harness()
        b.engine.restoreState(store)
        let rest = b.series(.heartRate, 150, from: t, to: t0 + 4 * minute)
        XCTAssertEqual(rest.map(\.summary), ["open heart_rate_high urgent"])
        XCTAssertEqual(rest.first?.occurredAt, expected.first?.occurredAt)
    }

    /// A rule keeps progress for a subject only while a run is in progress.
    func testProgressIsKeptOnlyWhileARunIsInProgress() throws {
        let h = Harness()
        h.series(.heartRate, 80, from: t0, to: t0 + minute)
        h.reading(.systolic, 120, at: t0)
        XCTAssertEqual(h.engine.subjects["R-0001"]?.progress.count, 0, "normal vital signs: no progress held")
        h.reading(.heartRate, 150, at: t0 + 2 * minute)
        XCTAssertEqual(h.engine.subjects["R-0001"]?.progress.keys.sorted(), ["heart_rate_high"])
        h.reading(.heartRate, 80, at: t0 + 3 * minute)
        XCTAssertEqual(h.engine.subjects["R-0001"]?.progress.count, 0, "the run ended")
        // A late sample past the limit starts a backfill run, which is progress too.
        h.reading(.heartRate, 150, at: t0 + 150 * second)
        let p = try XCTUnwrap(h.engine.subjects["R-0001"]?.progress["heart_rate_high"])
        XCTAssertNotNil(p.backfill)
        XCTAssertNil(p.run)
    }

    func testUnboundPassingStateIsNeverWritten() {
        let h = Harness(context: .unbound)
        var store: [String: [UInt8]] = [:]
        h.reading(.heartRate, 80, at: t0, device: "stranger")
        let keys = drain(h, at: 0, into: &store)
        XCTAssertFalse(keys.contains("subject:device:stranger"), "\(keys)")
        XCTAssertEqual(drain(h, at: 60_000, into: &store).filter { $0.hasPrefix("subject:") }, [])
    }
}
