import AnxinCore
import AnxinTesting
import Crypto
import Foundation
import XCTest

/// End to end: device messages over a real broker, through the real binary, to a real
/// HTTP hotline receiver and the staff API.
final class EmergencyDeliveryTests: XCTestCase {
    func body(_ r: HotlineReceiver.Request) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]) ?? [:]
    }

    func testSOSAndFallFromEveryWatchFamilyReachTheHotlineWithResidentDetails() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        let cases: [(String, String, String, String)] = [
            ("imede-sos", "sos", "R-0001", "865067021234567"),
            ("setracker-al", "sos", "R-0002", "4700609403"),
            ("iw-ap10-sos", "sos", "R-0003", "352661090012345"),
            ("setracker-fall", "fall", "R-0002", "4700609403"),
        ]
        for (i, (file, rule, resident, device)) in cases.enumerated() {
            let t0 = Date()
            try h.publish(file)
            let reqs = try await h.hotline.waitFor(count: i + 1, timeout: .seconds(5))
            let elapsed = Date().timeIntervalSince(t0)
            XCTAssertLessThan(elapsed, 2.0, "\(file) took \(elapsed) s to reach the hotline")
            let r = reqs[i]
            let b = body(r)
            XCTAssertEqual(b["rule"] as? String, rule, file)
            XCTAssertEqual(b["severity"] as? String, "critical", file)
            XCTAssertEqual(b["gateway_id"] as? String, "it-01")
            XCTAssertEqual(r.header("Idempotency-Key"), b["id"] as? String, file)
            XCTAssertEqual(r.signatureValid, true, file)
            let expectedSig =
                "sha256="
                + HMAC<SHA256>.authenticationCode(for: r.body, using: SymmetricKey(data: h.secret))
                .map { String(format: "%02x", $0) }.joined()
            XCTAssertEqual(r.header("X-Anxin-Signature"), expectedSig)
            XCTAssertTrue(r.header("Content-Type")?.hasPrefix("application/json") ?? false)
            let res = b["resident"] as? [String: Any]
            XCTAssertEqual(res?["id"] as? String, resident, file)
            XCTAssertNotNil(res?["name"] as? String)
            XCTAssertNotNil(res?["bed"] as? String)
            XCTAssertNotNil(res?["room"] as? String)
            XCTAssertFalse((res?["contacts"] as? [[String: Any]] ?? []).isEmpty, file)
            let dev = b["device"] as? [String: Any]
            XCTAssertEqual(dev?["id"] as? String, device)
            XCTAssertEqual(dev?["registered"] as? Bool, true)
            let loc = b["location"] as? [String: Any]
            XCTAssertNotNil(loc?["lat"] as? Double, "\(file) carries a location")
            XCTAssertEqual(loc?["datum"] as? String, "wgs84")
        }
        let first = body(h.hotline.requests[0])
        let res = first["resident"] as? [String: Any]
        XCTAssertEqual(res?["name"] as? String, "张桂兰")
        XCTAssertEqual(res?["bed"] as? String, "JN-KY-03-0302-1")
        XCTAssertEqual(res?["room"] as? String, "3号楼302室")
        XCTAssertEqual((first["location"] as? [String: Any])?["lat"] as? Double, 24.6701)
        XCTAssertEqual(first["trigger"] as? [String: String], ["event": "sos"])
        XCTAssertEqual((first["device"] as? [String: Any])?["sim"] as? String, "14700000000")
        // The staff API shows the open alerts with their incidents.
        let open = try await h.alerts(state: "open")
        XCTAssertEqual(open.count, 4)
        let delivered = try await h.eventually {
            try await h.alerts(state: "open").allSatisfy {
                (($0["incident"] as? [String: Any])?["state"] as? String) == "delivered"
            }
        }
        XCTAssertTrue(delivered)
        // The journal gets ids and rules, never names, phone numbers, addresses or payloads.
        let log = h.gateway.log
        XCTAssertTrue(log.contains("alert opened"), log)
        for secret in ["张桂兰", "13800000000", "13900000000", "月山社区", "\"IMEI\"", "3G*4700609403"] {
            XCTAssertFalse(log.contains(secret), "log contains \(secret)")
        }
        await h.shutdown()
    }

    func testBPCrisisIsCriticalAndUnregisteredSOSHasNoResident() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        let now = Timestamp.iso8601(SystemWallClock().now() - 5000, utcOffsetSeconds: 8 * 3600)
        let local =
            String(now.dropFirst(8).prefix(2)) + "/" + String(now.dropFirst(5).prefix(2)) + "/"
            + String(now.prefix(4)) + " " + String(now.dropFirst(11).prefix(8))
        try h.publish(
            topic: "iMEDE_watch/VitalSign",
            "{\"IMEI\":\"865067021234567\",\"heartRate\":90,\"bloodPressure\":{\"bp_sys\":230,\"bp_dia\":100},\"spO2\":96,\"battery\":60,\"timeStamps\":\"\(local)\"}"
        )
        let reqs = try await h.hotline.waitFor(count: 1)
        let b = body(reqs[0])
        XCTAssertEqual(b["rule"] as? String, "bp_crisis")
        XCTAssertEqual(b["severity"] as? String, "critical")
        XCTAssertEqual((b["trigger"] as? [String: Any])?["kind"] as? String, "systolic")
        XCTAssertEqual((b["trigger"] as? [String: Any])?["value"] as? Double, 230)
        let vitals = b["vitals"] as? [String: Any]
        XCTAssertEqual((vitals?["heart_rate"] as? [String: Any])?["value"] as? Double, 90)
        // Every kind of the message, also one no resident rule judges (battery: a per-device rule's).
        XCTAssertEqual((vitals?["spo2"] as? [String: Any])?["value"] as? Double, 96)
        XCTAssertEqual((vitals?["battery"] as? [String: Any])?["value"] as? Double, 60)
        XCTAssertEqual((vitals?["diastolic"] as? [String: Any])?["value"] as? Double, 100)
        // No bp_high alongside the crisis.
        let open = try await h.alerts(state: "open")
        XCTAssertEqual(open.map { $0["rule"] as? String }, ["bp_crisis"])

        try h.publish(topic: "iMEDE_watch/sos", "{\"status\":\"SOS\",\"IMEI\":\"869999000000001\"}")
        let reqs2 = try await h.hotline.waitFor(count: 2)
        let b2 = body(reqs2[1])
        XCTAssertEqual(b2["rule"] as? String, "sos")
        XCTAssertTrue(b2["resident"] is NSNull, "an unregistered device's incident has resident null")
        XCTAssertEqual((b2["device"] as? [String: Any])?["registered"] as? Bool, false)
        XCTAssertEqual((b2["device"] as? [String: Any])?["id"] as? String, "869999000000001")
        await h.shutdown()
    }
}
