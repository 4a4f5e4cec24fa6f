import AnxinCore
import Foundation
import XCTest

@testable import Profiles

/// Every fixture of shared/devices through the shipped DeviceProfiles, with exact values.
final class ShippedProfilesTests: XCTestCase {
    let imei = "865067021234567"
    let setracker = "4700609403"
    let iwIMEI = "352661090012345"

    func testShippedProfilesLoadWithTheirTopics() {
        let set = Fixtures.shipped
        XCTAssertEqual(
            set.profileIDs.sorted(),
            ["alink-band", "hub-ble-cuff", "imede-watch", "iw-watch", "setracker-3g", "wisleep-mattress"])
        XCTAssertEqual(
            Set(set.topicFilters),
            [
                "iMEDE_watch/+", "watch/3g/up", "watch/iw/+/up", "bed/wisleep/#",
                "/sys/+/+/thing/event/property/post", "home/+/ble",
            ])
    }

    /// The checked-in fixtures are the team's shared device shapes, byte for byte (checked when
    /// this checkout sits next to the shared folder; a clean clone has only the copy).
    func testCheckedInFixturesMatchTheSharedFolder() throws {
        let shared = Fixtures.sharedDevicesFolder.path
        guard FileManager.default.fileExists(atPath: shared) else { return }
        let names = try FileManager.default.contentsOfDirectory(atPath: shared).filter { $0.hasSuffix(".msg") }.sorted()
        XCTAssertEqual(names, Fixtures.messageFiles, "copy ../shared/devices to Tests/Fixtures/devices")
        for n in names {
            XCTAssertEqual(
                FileManager.default.contents(atPath: shared + "/" + n),
                FileManager.default.contents(atPath: Fixtures.devicesFolder.appendingPathComponent(n).path), n)
        }
    }

    func testEveryFixtureIsCovered() {
        let files = Fixtures.messageFiles
        XCTAssertEqual(files.count, 20)
        for name in files {
            let (failure, output) = Fixtures.decode(name)
            if name.hasPrefix("bad-") && name != "bad-sentinels.msg" {
                XCTAssertNotNil(failure, name)
                XCTAssertTrue(output.observations.isEmpty, name)
            } else {
                XCTAssertNil(failure, "\(name): \(failure.map(\.description) ?? "")")
                XCTAssertFalse(output.observations.isEmpty, name)
            }
        }
    }

    func testImedeVitalsLocalTimeAtPlusEight() {
        let (failure, out) = Fixtures.decode("imede-vitals.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: imei, profile: "imede-watch", at: Fixtures.millis("2026-11-22T00:15:30Z"), flags: [],
            [
                .reading(.heartRate, 78), .reading(.systolic, 128), .reading(.diastolic, 82), .reading(.spo2, 97),
                .reading(.bodyTemp, 36.5), .reading(.battery, 64), .location(24.6692, 102.5958),
            ])
        XCTAssertEqual(out.sentinels, [])
    }

    func testImedeBatchGivesEachSampleItsOwnTime() {
        let (failure, out) = Fixtures.decode("imede-batch.msg")
        XCTAssertNil(failure)
        XCTAssertEqual(out.observations.count, 15)
        let samples: [(String, [Double])] = [
            ("2026-11-22T00:15:00Z", [81, 131, 84, 96, 36.6]),
            ("2026-11-22T00:20:00Z", [84, 133, 85, 96, 36.7]),
            ("2026-11-22T00:25:00Z", [79, 129, 83, 97, 36.6]),
        ]
        let kinds: [ReadingKind] = [.heartRate, .systolic, .diastolic, .spo2, .bodyTemp]
        for (i, sample) in samples.enumerated() {
            var one = out
            one.observations = Array(out.observations[(i * 5)..<(i * 5 + 5)])
            assertObservations(
                one, device: imei, profile: "imede-watch", at: Fixtures.millis(sample.0), flags: [],
                zip(kinds, sample.1).map { .reading($0.0, $0.1) })
        }
    }

    func testImedeSosAndFallTakeReceiveTimeWithTheirPosition() {
        for (name, event) in [("imede-sos.msg", EventKind.sos), ("imede-fall.msg", .fall)] {
            let (failure, out) = Fixtures.decode(name)
            XCTAssertNil(failure)
            assertObservations(
                out, device: imei, profile: "imede-watch", at: Fixtures.receivedAt, flags: .receiveTime,
                [.location(24.6701, 102.5966), .event(event)])
        }
    }

    func testImedeHeartbeat() {
        let (failure, out) = Fixtures.decode("imede-heartbeat.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: imei, profile: "imede-watch", at: Fixtures.millis("2026-11-22T00:20:00Z"), flags: [],
            [.reading(.battery, 63), .reading(.steps, 1532)])
    }

    func testSetrackerBloodPressureFrameWithEmptyTrailingFields() {
        let (failure, out) = Fixtures.decode("setracker-bphrt.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: setracker, profile: "setracker-3g", at: Fixtures.receivedAt, flags: .receiveTime,
            [.reading(.systolic, 168), .reading(.diastolic, 96), .reading(.heartRate, 88)])
    }

    func testSetrackerPositionSplitDateAndTimeUTC() {
        let (failure, out) = Fixtures.decode("setracker-ud2.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: setracker, profile: "setracker-3g", at: Fixtures.millis("2026-11-22T00:15:30Z"), flags: [],
            [.reading(.battery, 57), .reading(.steps, 2210), .location(24.669210, 102.595830)])
    }

    func testSetrackerAlarmBit16IsSos() {
        let (failure, out) = Fixtures.decode("setracker-al.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: setracker, profile: "setracker-3g", at: Fixtures.millis("2026-11-22T00:16:12Z"), flags: [],
            [.reading(.battery, 56), .reading(.steps, 2210), .location(24.6693, 102.5959), .event(.sos)])
    }

    func testSetrackerAlarmBit21IsFall() {
        let (failure, out) = Fixtures.decode("setracker-fall.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: setracker, profile: "setracker-3g", at: Fixtures.millis("2026-11-22T00:17:05Z"), flags: [],
            [.reading(.battery, 56), .reading(.steps, 2210), .location(24.6693, 102.5959), .event(.fall)])
    }

    func testSetrackerBits21And22TogetherAreOneFallAndBit20IsNotWorn() throws {
        let set = Fixtures.shipped
        let body = "AL,221126,001705,A,24.669300,N,102.595900,E,0.00,0,1890,8,100,56,2210,1,00720000"
        let frame = "[3G*4700609403*\(String(format: "%04X", body.utf8.count))*\(body)]"
        var out = DecodeOutput()
        XCTAssertNil(
            set.decode(topic: "watch/3g/up", payload: Array(frame.utf8), receivedAt: Fixtures.receivedAt, into: &out))
        let events = out.observations.compactMap { o -> EventKind? in
            if case .event(let e) = o { return e.kind }
            return nil
        }
        XCTAssertEqual(events, [.lowBattery, .notWorn, .fall])
    }

    func testIwPositionFixedWidthNMEA() {
        let (failure, out) = Fixtures.decode("iw-ap01.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: iwIMEI, profile: "iw-watch", at: Fixtures.millis("2026-11-22T00:15:30Z"), flags: [],
            [.reading(.battery, 80), .location(24 + 40.1526 / 60, 102 + 35.7498 / 60)], locationTolerance: 1e-6)
        guard case .reading(let r) = out.observations[1], case .location(let l) = r.value else {
            return XCTFail("no location")
        }
        XCTAssertEqual(l.lat, 24.66921, accuracy: 1e-6)
        XCTAssertEqual(l.lon, 102.59583, accuracy: 1e-6)
    }

    func testIwAlarmCode01IsSos() {
        let (failure, out) = Fixtures.decode("iw-ap10-sos.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: iwIMEI, profile: "iw-watch", at: Fixtures.millis("2026-11-22T00:16:12Z"), flags: [],
            [.reading(.battery, 80), .location(24.66921, 102.59583), .event(.sos)], locationTolerance: 1e-6)
    }

    func testIwAlarmCodesForFallAndNotWorn() {
        for (code, event) in [("05", EventKind.fall), ("06", .fall), ("03", .notWorn)] {
            let frame =
                "IWAP10261122A2440.1526N10235.7498E000.1001612323.8706000908000102,460,0,9520,3671,\(code),zhcn,00#"
            var out = DecodeOutput()
            XCTAssertNil(
                Fixtures.shipped.decode(
                    topic: "watch/iw/352661090012345/up", payload: Array(frame.utf8), receivedAt: Fixtures.receivedAt,
                    into: &out))
            guard case .event(let e)? = out.observations.last else { return XCTFail("no event for \(code)") }
            XCTAssertEqual(e.kind, event)
        }
    }

    func testIwHeartRateAndHealthFrames() {
        var (failure, out) = Fixtures.decode("iw-ap49.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: iwIMEI, profile: "iw-watch", at: Fixtures.receivedAt, flags: .receiveTime,
            [.reading(.heartRate, 68)])
        (failure, out) = Fixtures.decode("iw-aphp.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: iwIMEI, profile: "iw-watch", at: Fixtures.receivedAt, flags: .receiveTime,
            [
                .reading(.heartRate, 72), .reading(.systolic, 142), .reading(.diastolic, 91), .reading(.spo2, 95),
                .reading(.bloodGlucose, 6.1), .reading(.bodyTemp, 36.8),
            ])
    }

    func testIwFrameWithTrailingHashDecodesTheSame() {
        var out = DecodeOutput()
        XCTAssertNil(
            Fixtures.shipped.decode(
                topic: "watch/iw/352661090012345/up", payload: Array("IWAP49,68#".utf8),
                receivedAt: Fixtures.receivedAt, into: &out))
        assertObservations(
            out, device: iwIMEI, profile: "iw-watch", at: Fixtures.receivedAt, flags: .receiveTime,
            [.reading(.heartRate, 68)])
    }

    func testWiSleepInBedWithVitals() {
        let (failure, out) = Fixtures.decode("wisleep-mattress.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: "201906078", profile: "wisleep-mattress", at: Fixtures.receivedAt, flags: .receiveTime,
            [.flag(.inBed, true), .reading(.heartRate, 64), .reading(.respirationRate, 15)])
    }

    func testWiSleepOutOfBedAndUnknownStatus() {
        let set = Fixtures.shipped
        var out = DecodeOutput()
        let payload =
            #"{"records":[{"status":0,"bpm":0,"rpm":0,"sn":"201906078"},{"status":2,"bpm":60,"rpm":14,"sn":"201906079"}]}"#
        XCTAssertNil(
            set.decode(
                topic: "bed/wisleep/org/201906078", payload: Array(payload.utf8), receivedAt: 5_000_000_000_000,
                into: &out))
        assertObservations(
            out, device: "201906078", profile: "wisleep-mattress", at: 5_000_000_000_000, flags: .receiveTime,
            [.flag(.inBed, false)])
        XCTAssertEqual(out.sentinels, [])
    }

    func testAlinkPropertiesKeepTheirMillisecondTimes() {
        let (failure, out) = Fixtures.decode("alink-property.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: "band-00172", profile: "alink-band", at: Fixtures.millis("2026-11-22T00:15:12.345Z"),
            flags: [],
            [.reading(.heartRate, 92), .reading(.systolic, 138), .reading(.diastolic, 88), .reading(.spo2, 95)])
    }

    func testHubCuffConvertsKilopascalsUnrounded() {
        let (failure, out) = Fixtures.decode("gateway-kpa.msg")
        XCTAssertNil(failure)
        assertObservations(
            out, device: "FF:22:09:08:31:31", profile: "hub-ble-cuff", at: Fixtures.millis("2026-11-22T00:16:40Z"),
            flags: [],
            [.reading(.systolic, 18.7 * 7.50062), .reading(.diastolic, 11.6 * 7.50062), .reading(.heartRate, 74)])
    }

    func testDecodeLinesFollowSpecSectionOne() {
        var (_, out) = Fixtures.decode("imede-vitals.msg")
        XCTAssertEqual(
            out.observations[0].decodeLine(profile: out.profile),
            #"{"device": "865067021234567", "profile": "imede-watch", "kind": "heart_rate", "value": 78, "at": "2026-11-22T00:15:30Z", "flags": []}"#
        )
        XCTAssertEqual(
            out.observations[4].decodeLine(profile: out.profile),
            #"{"device": "865067021234567", "profile": "imede-watch", "kind": "body_temp", "value": 36.5, "at": "2026-11-22T00:15:30Z", "flags": []}"#
        )
        XCTAssertEqual(
            out.observations[6].decodeLine(profile: out.profile),
            #"{"device": "865067021234567", "profile": "imede-watch", "kind": "location", "value": {"lat": 24.6692, "lon": 102.5958, "datum": "wgs84", "source": "gps"}, "at": "2026-11-22T00:15:30Z", "flags": []}"#
        )
        (_, out) = Fixtures.decode("imede-sos.msg")
        XCTAssertEqual(
            out.observations[1].decodeLine(profile: out.profile),
            #"{"device": "865067021234567", "profile": "imede-watch", "event": "sos", "at": "2026-11-22T00:30:00Z"}"#)
        XCTAssertTrue(out.observations[0].decodeLine(profile: out.profile).hasSuffix(#""flags": ["receive_time"]}"#))
        (_, out) = Fixtures.decode("alink-property.msg")
        XCTAssertEqual(
            out.observations[0].decodeLine(profile: out.profile),
            #"{"device": "band-00172", "profile": "alink-band", "kind": "heart_rate", "value": 92, "at": "2026-11-22T00:15:12.345Z", "flags": []}"#
        )
        (_, out) = Fixtures.decode("wisleep-mattress.msg")
        XCTAssertTrue(
            out.observations[0].decodeLine(profile: out.profile).contains(#""kind": "in_bed", "value": true"#))
        let withAccuracy = Observation.reading(
            Reading(
                device: "d", profile: "p", kind: .location,
                value: .location(Location(lat: 1.5, lon: 2, accuracyM: 30, source: .wifi)), measuredAt: 0, receivedAt: 0
            ))
        XCTAssertEqual(
            withAccuracy.decodeLine(profile: "p"),
            #"{"device": "d", "profile": "p", "kind": "location", "value": {"lat": 1.5, "lon": 2, "datum": "wgs84", "source": "wifi", "accuracy_m": 30}, "at": "1970-01-01T00:00:00Z", "flags": []}"#
        )
    }
}
