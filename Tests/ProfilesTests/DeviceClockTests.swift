import AnxinCore
import XCTest

@testable import Profiles

/// A device clock that is plainly wrong gives way to the receive time, flagged.
final class DeviceClockTests: XCTestCase {
    let measured = Fixtures.millis("2026-11-22T00:15:30Z")

    func testClockMoreThanTenMinutesAheadIsCorrected() {
        let receivedAt = measured - 600_001
        let (failure, out) = Fixtures.decode("imede-vitals.msg", receivedAt: receivedAt)
        XCTAssertNil(failure)
        XCTAssertEqual(out.observations.count, 7)
        for o in out.observations {
            XCTAssertEqual(o.measuredAt, receivedAt)
            guard case .reading(let r) = o else { return XCTFail() }
            XCTAssertEqual(r.flags, .clockCorrected)
            XCTAssertEqual(r.receivedAt, receivedAt)
        }
    }

    func testClockExactlyTenMinutesAheadIsKept() {
        let (_, out) = Fixtures.decode("imede-vitals.msg", receivedAt: measured - 600_000)
        XCTAssertEqual(out.observations.first?.measuredAt, measured)
        guard case .reading(let r)? = out.observations.first else { return XCTFail() }
        XCTAssertEqual(r.flags, [])
    }

    func testTimeBefore2015IsCorrected() {
        let payload = #"{"IMEI":"865067021234567","battery":63,"step":1,"timeStamps":"31/12/2014 23:59:59"}"#
        var out = DecodeOutput()
        XCTAssertNil(
            Fixtures.shipped.decode(
                topic: "iMEDE_watch/hb", payload: Array(payload.utf8), receivedAt: Fixtures.receivedAt, into: &out))
        guard case .reading(let r)? = out.observations.first else { return XCTFail() }
        XCTAssertEqual(r.measuredAt, Fixtures.receivedAt)
        XCTAssertEqual(r.flags, .clockCorrected)
        XCTAssertEqual(
            DeviceClock.settle(DeviceClock.earliest, receivedAt: Fixtures.receivedAt).0, DeviceClock.earliest)
        XCTAssertEqual(DeviceClock.earliest, Fixtures.millis("2015-01-01T00:00:00Z"))
    }

    func testBatchSamplesAreJudgedOneByOne() {
        // Receive time 00:10:00Z: the 00:25:00Z sample is 15 min ahead, the others are not.
        let receivedAt = Fixtures.millis("2026-11-22T00:10:00Z")
        let (_, out) = Fixtures.decode("imede-batch.msg", receivedAt: receivedAt)
        let times = stride(from: 0, to: 15, by: 5).map { out.observations[$0].measuredAt }
        XCTAssertEqual(
            times, [Fixtures.millis("2026-11-22T00:15:00Z"), Fixtures.millis("2026-11-22T00:20:00Z"), receivedAt])
        guard case .reading(let last) = out.observations[10] else { return XCTFail() }
        XCTAssertEqual(last.flags, .clockCorrected)
    }

    func testProfileZoneAndGatewayDefaultZone() throws {
        func profile(_ zoneLine: String) -> String {
            """
            id: zoned
            format: json
            topics: [z/+]
            \(zoneLine)
            device: id
            messages:
              - name: m
                time: {field: t, pattern: "yyyy-MM-dd HH:mm:ss"}
                readings: [{kind: heart_rate, field: hr}]
            """
        }
        let payload = Array(#"{"id":"d1","hr":70,"t":"2026-11-22 08:15:30"}"#.utf8)
        for (line, gateway, expected) in [
            ("zone: \"+08:00\"", 0, "2026-11-22T00:15:30Z"),
            ("", 8 * 3600, "2026-11-22T00:15:30Z"),
            ("", -5 * 3600, "2026-11-22T13:15:30Z"),
            ("zone: UTC", 8 * 3600, "2026-11-22T08:15:30Z"),
            ("zone: Asia/Shanghai", 0, "2026-11-22T00:15:30Z"),
        ] {
            let set = try ProfileSet.load(sources: [("z.yaml", profile(line))], defaultUTCOffsetSeconds: gateway)
            var out = DecodeOutput()
            XCTAssertNil(
                set.decode(
                    topic: "z/1", payload: payload, receivedAt: Fixtures.millis("2026-11-23T00:00:00Z"), into: &out))
            XCTAssertEqual(out.observations.first?.measuredAt, Fixtures.millis(expected), line)
        }
    }
}
