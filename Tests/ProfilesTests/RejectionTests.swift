import AnxinCore
import XCTest

@testable import Profiles

/// Broken input: clear, counted rejections and sentinels that drop one field only.
final class RejectionTests: XCTestCase {
    func testTruncatedJSONIsUnparsable() {
        let (failure, out) = Fixtures.decode("bad-truncated.msg")
        XCTAssertEqual(failure?.reason, .unparsable)
        XCTAssertEqual(out.observations, [])
    }

    func testBinaryGarbageIsUnparsable() {
        let (failure, out) = Fixtures.decode("bad-binary.msg")
        XCTAssertEqual(failure?.reason, .unparsable)
        XCTAssertEqual(out.observations, [])
    }

    func testWrongTypesAreRejectedAsWrongType() {
        let (failure, out) = Fixtures.decode("bad-types.msg")
        XCTAssertEqual(failure?.reason, .wrongType)
        XCTAssertEqual(failure?.message, "imede-watch/vitals: 'heartRate' has the wrong type")
        XCTAssertEqual(out.observations, [])
        XCTAssertEqual(out.sentinels, [])
    }

    func testNumericIMEIIsReadAsDigits() {
        let payload = #"{"IMEI":865067021234567,"battery":63,"step":12,"timeStamps":"22/11/2026 08:20:00"}"#
        var out = DecodeOutput()
        XCTAssertNil(
            Fixtures.shipped.decode(
                topic: "iMEDE_watch/hb", payload: Array(payload.utf8), receivedAt: Fixtures.receivedAt, into: &out))
        XCTAssertEqual(out.observations.map(\.device), ["865067021234567", "865067021234567"])
    }

    func testInvalidTimeIsBadTime() {
        let payload = #"{"IMEI":"865067021234567","battery":63,"timeStamps":"99/99/2026 25:61:00"}"#
        var out = DecodeOutput()
        let failure = Fixtures.shipped.decode(
            topic: "iMEDE_watch/hb", payload: Array(payload.utf8), receivedAt: Fixtures.receivedAt, into: &out)
        XCTAssertEqual(failure?.reason, .badTime)
        XCTAssertEqual(out.observations, [])
    }

    func testSentinelsDropOnlyTheirFields() {
        let (failure, out) = Fixtures.decode("bad-sentinels.msg")
        XCTAssertNil(failure)
        XCTAssertEqual(out.sentinels, ["heart_rate", "systolic", "diastolic", "spo2"])
        assertObservations(
            out, device: "865067021234567", profile: "imede-watch", at: Fixtures.millis("2026-11-22T00:15:30Z"),
            flags: [], [.reading(.battery, 64)])
    }

    func testUnknownTopicIsNoProfile() {
        var out = DecodeOutput()
        let failure = Fixtures.shipped.decode(
            topic: "somewhere/else", payload: Array("{}".utf8), receivedAt: Fixtures.receivedAt, into: &out)
        XCTAssertEqual(failure?.reason, .noProfile)
        XCTAssertEqual(out.profile, "")
    }

    func testUnknownCommandOfAKnownFamilyIsNoProfile() {
        var out = DecodeOutput()
        let failure = Fixtures.shipped.decode(
            topic: "watch/3g/up", payload: Array("[3G*4700609403*0004*ZZZZ]".utf8), receivedAt: Fixtures.receivedAt,
            into: &out)
        XCTAssertEqual(failure?.reason, .noProfile)
        XCTAssertEqual(out.observations, [])
    }

    func testFrameLengthMismatchIsUnparsable() {
        var out = DecodeOutput()
        let failure = Fixtures.shipped.decode(
            topic: "watch/3g/up", payload: Array("[3G*4700609403*0099*bphrt,168,96,88]".utf8),
            receivedAt: Fixtures.receivedAt, into: &out)
        XCTAssertEqual(failure?.reason, .unparsable)
    }

    func testInvalidUTF8IsUnparsable() {
        var out = DecodeOutput()
        let frame = Array("[3G*4700609403*0009*bphrt,1".utf8) + [0xC3, 0x28] + Array("]".utf8)
        XCTAssertEqual(
            Fixtures.shipped.decode(topic: "watch/3g/up", payload: frame, receivedAt: Fixtures.receivedAt, into: &out)?
                .reason,
            .unparsable)
        let json = Array(#"{"IMEI":""#.utf8) + [0xFF] + Array(#"","battery":60}"#.utf8)
        XCTAssertEqual(
            Fixtures.shipped.decode(
                topic: "iMEDE_watch/hb", payload: json, receivedAt: Fixtures.receivedAt, into: &out)?.reason,
            .unparsable)
    }

    func testIntermediateOfWrongTypeIsWrongType() {
        let payload = #"{"IMEI":"1","bloodPressure":[],"timeStamps":"22/11/2026 08:15:30"}"#
        var out = DecodeOutput()
        let failure = Fixtures.shipped.decode(
            topic: "iMEDE_watch/VitalSign", payload: Array(payload.utf8), receivedAt: Fixtures.receivedAt, into: &out)
        XCTAssertEqual(failure?.reason, .wrongType)
    }

    func testMissingDeviceIsMissingField() {
        let payload = #"{"battery":63,"timeStamps":"22/11/2026 08:20:00"}"#
        var out = DecodeOutput()
        let failure = Fixtures.shipped.decode(
            topic: "iMEDE_watch/hb", payload: Array(payload.utf8), receivedAt: Fixtures.receivedAt, into: &out)
        XCTAssertEqual(failure?.reason, .missingField)
        XCTAssertEqual(out.observations, [])
    }

    func testOversizedAndDeepPayloadsDoNotCrash() {
        var out = DecodeOutput()
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000)
        XCTAssertEqual(
            Fixtures.shipped.decode(
                topic: "iMEDE_watch/hb", payload: deep, receivedAt: Fixtures.receivedAt, into: &out)?.reason,
            .unparsable)
        let big =
            Array(#"{"IMEI":"1","pad":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 2_000_000)
            + Array(#"","battery":50,"timeStamps":"22/11/2026 08:20:00"}"#.utf8)
        XCTAssertNil(
            Fixtures.shipped.decode(topic: "iMEDE_watch/hb", payload: big, receivedAt: Fixtures.receivedAt, into: &out))
        XCTAssertEqual(out.observations.count, 1)
    }

    func testFailureMessagesNeverCarryPayloadContent() {
        for name in ["bad-types.msg", "bad-truncated.msg", "bad-binary.msg"] {
            let (failure, _) = Fixtures.decode(name)
            let text = failure?.message ?? ""
            XCTAssertFalse(text.contains("865067021234567"), name)
            XCTAssertFalse(text.contains("seventy"), name)
            XCTAssertFalse(text.contains("4700609403"), name)
        }
    }
}
