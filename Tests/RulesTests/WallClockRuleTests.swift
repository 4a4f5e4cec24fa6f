import AnxinCore
import XCTest

@testable import Rules

final class WallClockRuleTests: XCTestCase {
    func testDeviceSilentAfterThirtyConnectedMinutesAndDataAgainResolves() {
        let h = Harness()
        h.tick(t0)
        h.reading(.heartRate, 70, at: t0)
        for m in 1...29 { XCTAssertEqual(h.tick(t0 + EpochMillis(m) * minute), [], "minute \(m)") }
        let d = h.tick(t0 + 30 * minute)
        XCTAssertEqual(
            d,
            [
                Decision(
                    action: .open, alertID: "A1", rule: "device_silent", severity: .warning, residentID: "R-0001",
                    device: "watch-1", trigger: .silence(minutes: 30), occurredAt: t0 + 30 * minute, toHotline: false)
            ])
        XCTAssertEqual(h.tick(t0 + 40 * minute), [])
        XCTAssertEqual(
            h.reading(.heartRate, 70, at: t0 + 41 * minute).map(\.summary), ["resolve device_silent warning"])
    }

    func testTimeDisconnectedFromTheBrokerDoesNotCount() {
        let h = Harness()
        h.tick(t0)
        h.reading(.heartRate, 70, at: t0)
        for m in 1...20 { h.tick(t0 + EpochMillis(m) * minute, connected: true) }
        for m in 21...40 { h.tick(t0 + EpochMillis(m) * minute, connected: false) }
        // Connected again from minute 41: (40, 41] straddles the reconnection and does not count.
        for m in 41...50 { XCTAssertEqual(h.tick(t0 + EpochMillis(m) * minute), [], "minute \(m)") }
        XCTAssertEqual(h.tick(t0 + 51 * minute).map(\.summary), ["open device_silent warning"])
        XCTAssertEqual(h.decisions.count, 1)
    }

    func testDeviceUnheardForADayIsNotReported() {
        let h = Harness()
        h.tick(t0)
        h.reading(.heartRate, 70, at: t0)
        h.tick(t0 + 24 * 60 * minute, connected: false)
        for m in 1...40 { h.tick(t0 + 24 * 60 * minute + EpochMillis(m) * minute) }
        XCTAssertEqual(h.decisions, [])
    }

    func testPowerOffSuppressesDeviceSilent() {
        let h = Harness()
        h.tick(t0)
        h.event(.powerOff, at: t0)
        for m in 1...40 { h.tick(t0 + EpochMillis(m) * minute) }
        XCTAssertEqual(h.decisions.map(\.summary), ["open power_off warning"])
    }

    func testOutageOneAlertInsteadOfAFlood() {
        let h = Harness(context: .unbound)
        h.tick(t0)
        let devices = (0..<10).map { "band-\($0)" }
        for d in devices { h.reading(.heartRate, 70, at: t0, device: d) }
        for m in 1...45 {
            let now = t0 + EpochMillis(m) * minute
            for d in devices.prefix(5) { h.reading(.heartRate, 70, at: now, device: d) }
            h.tick(now)
        }
        XCTAssertEqual(
            h.decisions,
            [
                Decision(
                    action: .open, alertID: "A1", rule: "ingest_outage", severity: .warning, residentID: nil,
                    device: "*",
                    trigger: .outage(devices: 5), occurredAt: t0 + 30 * minute, toHotline: false)
            ])
        // The silent devices come back: the outage resolves, and no device_silent follows.
        let back = t0 + 46 * minute
        for d in devices { h.reading(.heartRate, 70, at: back, device: d) }
        XCTAssertEqual(h.tick(back).map(\.summary), ["resolve ingest_outage warning"])
        for m in 47...90 {
            let now = t0 + EpochMillis(m) * minute
            for d in devices { h.reading(.heartRate, 70, at: now, device: d) }
            h.tick(now)
        }
        XCTAssertEqual(h.decisions.count, 2)
    }

    func testDevicesFallingSilentMinutesApartStillCountAsTogether() {
        let h = Harness(context: .unbound)
        h.tick(t0)
        let devices = (0..<10).map { "band-\($0)" }
        for m in 0...45 {
            let now = t0 + EpochMillis(m) * minute
            // band-5 stops after minute 0, band-6 after minute 1, … band-9 after minute 4.
            for (i, d) in devices.enumerated() where i < 5 || m <= i - 5 {
                h.reading(.heartRate, 70, at: now, device: d)
            }
            h.tick(now)
        }
        XCTAssertEqual(h.decisions.map(\.summary), ["open ingest_outage warning"])
        XCTAssertEqual(h.decisions.first?.trigger, .outage(devices: 5))
    }

    func testOneSilentDeviceAmongTenIsDeviceSilent() {
        let h = Harness(context: .unbound)
        h.tick(t0)
        let devices = (0..<10).map { "band-\($0)" }
        for d in devices { h.reading(.heartRate, 70, at: t0, device: d) }
        for m in 1...35 {
            let now = t0 + EpochMillis(m) * minute
            for d in devices.dropFirst() { h.reading(.heartRate, 70, at: now, device: d) }
            h.tick(now)
        }
        XCTAssertEqual(h.decisions.map(\.summary), ["open device_silent warning"])
        XCTAssertEqual(h.decisions.first?.device, "band-0")
        XCTAssertNil(h.decisions.first?.residentID)
    }

    /// 23:00 at +08:00 is 15:00 UTC the day before t0's local morning.
    let elevenPM = Timestamp.millis(
        year: 2026, month: 11, day: 22, hour: 23, minute: 0, second: 0, utcOffsetSeconds: chinaOffset)!

    func testBedExitAtElevenNotBackInFifteenMinutes() {
        let h = Harness()
        h.reading(.inBed, 1, at: elevenPM - 30 * minute, device: "bed-1")
        XCTAssertEqual(h.reading(.inBed, 0, at: elevenPM, device: "bed-1"), [])
        h.reading(.inBed, 0, at: elevenPM + 5 * minute, device: "bed-1")
        XCTAssertEqual(h.tick(elevenPM + 15 * minute - 1), [])
        let d = h.tick(elevenPM + 15 * minute)
        XCTAssertEqual(
            d,
            [
                Decision(
                    action: .open, alertID: "A1", rule: "bed_exit_night", severity: .urgent, residentID: "R-0001",
                    device: "bed-1", trigger: .reading(.inBed, 0), occurredAt: elevenPM, toHotline: false)
            ])
        XCTAssertEqual(h.tick(elevenPM + 30 * minute), [])
        XCTAssertEqual(
            h.reading(.inBed, 1, at: elevenPM + 31 * minute, device: "bed-1").map(\.summary),
            ["resolve bed_exit_night urgent"])
    }

    func testBedExitEventBackInTimeRaisesNothing() {
        let h = Harness()
        h.event(.bedExit, at: elevenPM, device: "bed-1")
        h.reading(.inBed, 1, at: elevenPM + 10 * minute, device: "bed-1")
        XCTAssertEqual(h.tick(elevenPM + 20 * minute), [])
        XCTAssertEqual(h.decisions, [])
    }

    func testBedExitInTheAfternoonRaisesNothing() {
        let h = Harness()
        let twoPM = Timestamp.millis(
            year: 2026, month: 11, day: 22, hour: 14, minute: 0, second: 0, utcOffsetSeconds: chinaOffset)!
        h.reading(.inBed, 0, at: twoPM, device: "bed-1")
        XCTAssertEqual(h.tick(twoPM + 20 * minute), [])
        // Three hours later the silent sensor is reported, but no bed exit.
        XCTAssertEqual(h.tick(twoPM + 3 * 60 * minute).map(\.summary), ["open device_silent warning"])
        XCTAssertEqual(h.decisions.filter { $0.rule == "bed_exit_night" }, [])
    }

    func testGeofenceExitForTwoMinutesThenEscalatesAtTen() {
        let zone = HomeZone(lat: 24.6692, lon: 102.5958, radiusM: 300)
        let h = Harness(context: SubjectContext(residentID: "R-0001", homeZone: zone))
        h.tick(t0)
        XCTAssertEqual(h.location(lat: 24.6693, lon: 102.5959, at: t0), [], "inside")
        var opened: [Decision] = []
        for s in stride(from: 30, through: 150, by: 30) {
            // About 1.1 km north of the centre.
            opened += h.location(lat: 24.6792, lon: 102.5958, at: t0 + EpochMillis(s) * second)
        }
        XCTAssertEqual(
            opened,
            [
                Decision(
                    action: .open, alertID: "A1", rule: "geofence_exit", severity: .urgent, residentID: "R-0001",
                    device: "watch-1", trigger: .location(lat: 24.6792, lon: 102.5958), occurredAt: t0 + 150 * second,
                    toHotline: false)
            ])
        XCTAssertEqual(h.tick(t0 + 150 * second + 10 * minute - 1), [])
        XCTAssertEqual(
            h.tick(t0 + 150 * second + 10 * minute).map(\.summary), ["escalate geofence_exit urgent hotline"])
        XCTAssertEqual(
            h.location(lat: 24.6692, lon: 102.5958, at: t0 + 13 * minute).map(\.summary),
            ["resolve geofence_exit urgent"])
    }

    func testHaversine() {
        // One degree of latitude on the mean sphere.
        XCTAssertEqual(Geo.distanceMeters(lat1: 0, lon1: 0, lat2: 1, lon2: 0), 111_195.08, accuracy: 0.01)
        XCTAssertEqual(Geo.distanceMeters(lat1: 24.6692, lon1: 102.5958, lat2: 24.6692, lon2: 102.5958), 0)
    }
}
