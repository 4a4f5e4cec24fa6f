import AnxinCore
import XCTest

@testable import Rules

/// A device's own rules (low battery) keep their latest values with the device's liveness: a subject is
/// kept only while judging leaves something in it, and the values survive a restart.
final class DeviceRuleStateTests: XCTestCase {
    func battery(_ h: Harness, _ id: String) -> Double? {
        guard let d = h.engine.devices[id] else { return nil }
        return h.engine.latestPool.value(d.latest, .battery)?.value
    }

    func testDevicesWithBatteryToSpareKeepNoSubject() {
        let h = Harness()
        for n in 0..<1_000 { XCTAssertEqual(h.reading(.battery, 80, at: t0 + EpochMillis(n), device: "W\(n)"), []) }
        XCTAssertFalse(h.engine.subjects.keys.contains { $0.hasPrefix("device:") })
        XCTAssertEqual(h.engine.devices.count, 1_000)
        XCTAssertEqual(battery(h, "W7"), 80)
        XCTAssertEqual(h.engine.latestPool.liveSlots, 1_000, "one value a device")
        // A low one opens the alert, which the device's subject then holds; a charged one resolves it.
        XCTAssertEqual(h.reading(.battery, 12, at: t0 + minute, device: "W7").map(\.summary), ["open low_battery info"])
        XCTAssertNotNil(h.engine.subjects["device:W7"]?.alerts["low_battery"])
        XCTAssertEqual(battery(h, "W7"), 12)
        XCTAssertEqual(
            h.reading(.battery, 60, at: t0 + 2 * minute, device: "W7").map(\.summary), ["resolve low_battery info"])
        XCTAssertEqual(battery(h, "W7"), 60)
        XCTAssertNil(h.engine.subjects["device:W7"], "nothing left in it: gone")
        XCTAssertEqual(h.engine.drainChangedState().filter { $0.key == "subject:device:W7" }.map(\.blob), [nil])
        XCTAssertEqual(h.engine.latestPool.liveSlots, 1_000, "the subject holds none of them")
    }

    /// The device's latest value orders what is judged: a sample older than it is judged the same way by
    /// the engine that saw it and by one restored from its saved state.
    func testALateSampleIsJudgedTheSameAfterARestart() {
        let a = Harness()
        XCTAssertEqual(a.reading(.battery, 80, at: t0 + 2 * minute), [])
        let b = Harness()
        b.engine.restoreState(a.engine.exportState())
        XCTAssertEqual(battery(b, "watch-1"), 80, "restored with the device")
        // A late low sample is judged on its own measured time (a backlog still fires its rule) in both.
        let late = a.reading(.battery, 10, at: t0 + minute).map(\.summary)
        XCTAssertEqual(late, ["open low_battery info"])
        XCTAssertEqual(b.reading(.battery, 10, at: t0 + minute).map(\.summary), late)
        XCTAssertEqual(battery(a, "watch-1"), 80, "an older sample does not replace the latest")
        XCTAssertEqual(battery(b, "watch-1"), 80)
        // And a newer one in both.
        XCTAssertEqual(a.reading(.battery, 14, at: t0 + 3 * minute).map(\.summary), ["update low_battery info"])
        XCTAssertEqual(b.reading(.battery, 14, at: t0 + 3 * minute).map(\.summary), ["update low_battery info"])
        XCTAssertEqual(battery(b, "watch-1"), 14)
    }

    /// State saved when the device's latest values were its subject's (and the device's blob ended before
    /// them): the values are moved to the device at its next reading, and still order what is judged.
    func testLatestValuesSavedWithTheSubjectMoveToTheDevice() throws {
        let a = Harness()
        a.reading(.heartRate, 70, at: t0)
        var saved = a.engine.exportState()
        let pool = LatestPool()
        var st = SubjectState(residentID: "R-0001")
        pool.set(TimedValue(value: 80, at: t0 + 2 * minute), .battery, in: &st.latest)
        saved["subject:device:watch-1"] = StateCodec.encode(st, latestIn: pool)
        let device = try XCTUnwrap(a.engine.devices["watch-1"])
        XCTAssertTrue(device.latest.isEmpty)
        saved["device:watch-1"] = StateCodec.encode(device, latestIn: pool)
        let b = Harness()
        b.engine.restoreState(saved)
        XCTAssertNil(battery(b, "watch-1"))
        // Older than the saved 80: not judged as the newest value.
        _ = b.reading(.battery, 50, at: t0 + minute)
        XCTAssertEqual(battery(b, "watch-1"), 80, "moved from the subject; the older sample did not replace it")
        XCTAssertNil(b.engine.subjects["device:watch-1"], "its values moved and nothing left in it: dropped")
        XCTAssertEqual(b.engine.latestValues(of: "R-0001")[.heartRate]?.value, 70)
    }

    /// A device's subject made by an event or restored from saved state is found by its next reading:
    /// the reading clears what it holds.
    func testASubjectMadeElsewhereIsFoundByTheNextReading() {
        let a = Harness()
        XCTAssertEqual(a.event(.lowBattery, at: t0).map(\.summary), ["open low_battery info"])
        let b = Harness()
        b.engine.restoreState(a.engine.exportState())
        XCTAssertEqual(b.engine.devices["watch-1"]?.mayHaveSubject, true)
        XCTAssertEqual(a.reading(.battery, 90, at: t0 + minute).map(\.summary), ["resolve low_battery info"])
        XCTAssertEqual(b.reading(.battery, 90, at: t0 + minute).map(\.summary), ["resolve low_battery info"])
        // A device forgotten while its subject stayed, then heard again, looks for it.
        let c = Harness()
        var held = SubjectState(residentID: "R-0001")
        held.beds["bed_exit_night"] = BedWatch(outSince: t0, device: "watch-9", byEvent: true, raised: true)
        c.engine.subjects["device:watch-9"] = held
        _ = c.reading(.heartRate, 70, at: t0, device: "watch-9")
        XCTAssertEqual(c.engine.devices["watch-9"]?.mayHaveSubject, true)
        _ = c.reading(.battery, 90, at: t0 + minute, device: "watch-9")
        XCTAssertEqual(c.engine.devices["watch-9"]?.mayHaveSubject, true, "still there")
        XCTAssertNotNil(c.engine.subjects["device:watch-9"], "it holds a bed watch")
        c.engine.dropSubject("device:watch-9")
        _ = c.reading(.battery, 91, at: t0 + 2 * minute, device: "watch-9")
        XCTAssertEqual(c.engine.devices["watch-9"]?.mayHaveSubject, false, "a look found none")
    }

    /// A device blob saved before devices kept latest values still reads; one cut inside them does not.
    func testDeviceBlobsWithAndWithoutLatestValues() throws {
        let pool = LatestPool()
        var d = DeviceLiveness(lastHeard: 5, heardAtConnected: 3, residentID: "R-1", silenceReported: false)
        let bare = StateCodec.encode(d, latestIn: pool)
        XCTAssertEqual(StateCodec.decodeDevice(bare, latestIn: pool)?.latest.isEmpty, true)
        pool.set(TimedValue(value: 42, at: 9), .battery, in: &d.latest)
        let full = StateCodec.encode(d, latestIn: pool)
        XCTAssertGreaterThan(full.count, bare.count)
        let back = try XCTUnwrap(StateCodec.decodeDevice(full, latestIn: pool))
        XCTAssertEqual(pool.value(back.latest, .battery), TimedValue(value: 42, at: 9))
        XCTAssertEqual(back.residentID, "R-1")
        XCTAssertNil(StateCodec.decodeDevice(Array(full.dropLast()), latestIn: pool))
    }
}
