import AnxinCore
import AnxinTesting
import Crypto
import Foundation
import XCTest

/// Escalation chains, staff channels, hotline follow-ups, silences and the heartbeat, end to end:
/// the real binary, broker, hotline receiver and a recording webhook receiver.
final class StaffChannelsTests: XCTestCase {
    /// The shipped rules with a fast chain for SOS: on-call at once, a supervisor after 4 s.
    static func rules() throws -> String {
        let shipped = try String(
            contentsOf: GatewayProcess.repositoryRoot().appendingPathComponent("Config/rules.yaml"), encoding: .utf8)
        let chain = """
              rules:
                sos:
                  - {after: 0s, notify: [oncall]}
                  - {after: 4s, notify: [supervisor]}
            """
        XCTAssertTrue(shipped.contains("  rules: {}"))
        return shipped.replacingOccurrences(of: "  rules: {}", with: chain)
    }

    func harness(httpExtra: String = "") async throws -> GatewayHarness {
        let h = try await GatewayHarness(rules: try Self.rules(), httpExtra: httpExtra)
        try h.addWardAndSupervisorHooks()
        return h
    }

    func json(_ d: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(d)) as? [String: Any]) ?? [:]
    }

    func testAcknowledgedSOSStopsTheSupervisorStepAndTellsTheHotline() async throws {
        let h = try await harness()
        defer { Task { await h.shutdown() } }
        try await h.start()

        // Two SOS: R-0001 is acknowledged at once, R-0002 is left alone.
        try h.publish("imede-sos")
        let incident = try await h.hotline.waitFor(count: 1)[0]
        let incidentID = json(incident.body)["id"] as? String ?? ""
        let notice = try await h.hooks.waitFor(count: 1, path: "/ward", timeout: .seconds(5))[0]
        let alertID = json(notice.body)["alert_id"] as? String ?? json(notice.body)["id"] as? String ?? ""
        XCTAssertFalse(alertID.isEmpty, String(decoding: notice.body, as: UTF8.self))
        let (status, _) = try await HTTP.post(
            "http://127.0.0.1:\(h.httpPort)/api/v1/alerts/\(alertID)/ack",
            json: #"{"by": "王芳", "note": "已电话联系"}"#)
        XCTAssertEqual(status, 200)
        try h.publish("setracker-al")
        _ = try await h.hotline.waitFor(count: 2)

        // The follow-up reaches the hotline as an update to the incident id.
        let updates = try await h.hotline.waitFor(count: 1, path: "/api/incidents/\(incidentID)/updates")
        let u = json(updates[0].body)
        XCTAssertEqual(u["incident_id"] as? String, incidentID)
        XCTAssertEqual(u["status"] as? String, "acknowledged")
        XCTAssertEqual(u["by"] as? String, "王芳")
        XCTAssertEqual(updates[0].header("Idempotency-Key"), incidentID + "/ack")
        XCTAssertEqual(updates[0].signatureValid, true)

        // The supervisor hears of R-0002's SOS only, about 4 s after it opened.
        let sup = try await h.hooks.waitFor(count: 1, path: "/sup", timeout: .seconds(10))
        try await Task.sleep(for: .seconds(5))
        let supAll = h.hooks.requests(path: "/sup")
        XCTAssertEqual(supAll.count, 1, "only the unacknowledged alert escalates")
        XCTAssertNotEqual(json(sup[0].body)["alert_id"] as? String, alertID)

        // The alert page shows the history and the deliveries.
        let detail = try await h.getJSON("/api/v1/alerts/\(alertID)")
        let actions = (detail["history"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        XCTAssertTrue(actions.contains("opened"), "\(actions)")
        XCTAssertTrue(actions.contains("notified"), "\(actions)")
        XCTAssertTrue(actions.contains("acknowledged"), "\(actions)")
        XCTAssertTrue(actions.contains("followup"), "\(actions)")
        XCTAssertFalse(actions.contains("escalated"), "\(actions)")
        let channels = (detail["deliveries"] as? [[String: Any]] ?? []).compactMap { $0["channel"] as? String }
        XCTAssertTrue(channels.contains("ward"), "\(channels)")
        XCTAssertTrue(channels.contains("hotline"), "\(channels)")
    }

    func testCancelledSOSTellsTheHotlineAndSilencesCoverOnlyWhatTheyMay() async throws {
        let h = try await harness()
        defer { Task { await h.shutdown() } }
        try await h.start()
        let base = "http://127.0.0.1:\(h.httpPort)/api/v1"

        // An SOS cannot be silenced, by rule or by resident.
        let (refused, _, _) = try await HTTP.request(
            "POST", base + "/silences", json: #"{"scope": "rule", "target": "sos", "minutes": 60, "reason": "测试"}"#)
        XCTAssertEqual(refused, 400)
        let (made, body, _) = try await HTTP.request(
            "POST", base + "/silences",
            json: #"{"scope": "resident", "target": "R-0001", "minutes": 60, "reason": "住院"}"#)
        XCTAssertEqual(made, 200, String(decoding: body, as: UTF8.self))

        // A blood-pressure alert of the silenced resident is recorded, shown silenced, tells nobody.
        let now = Timestamp.iso8601(SystemWallClock().now() - 5000, utcOffsetSeconds: 8 * 3600)
        let local =
            String(now.dropFirst(8).prefix(2)) + "/" + String(now.dropFirst(5).prefix(2)) + "/"
            + String(now.prefix(4)) + " " + String(now.dropFirst(11).prefix(8))
        try h.publish(
            topic: "iMEDE_watch/VitalSign",
            "{\"IMEI\":\"865067021234567\",\"heartRate\":90,\"bloodPressure\":{\"bp_sys\":190,\"bp_dia\":100},\"spO2\":96,\"battery\":60,\"timeStamps\":\"\(local)\"}"
        )
        let opened = try await h.eventually {
            try await h.alerts(state: "open").contains { $0["rule"] as? String == "bp_high" }
        }
        XCTAssertTrue(opened)
        let bp = try await h.alerts(state: "open").first { $0["rule"] as? String == "bp_high" }
        XCTAssertEqual(bp?["silenced"] as? Bool, true)

        // The same resident's SOS is not silenced: hotline and on-call hear of it.
        try h.publish("imede-sos")
        let incident = try await h.hotline.waitFor(count: 1)[0]
        let incidentID = json(incident.body)["id"] as? String ?? ""
        _ = try await h.hooks.waitFor(count: 1, path: "/ward", timeout: .seconds(5))
        try await Task.sleep(for: .seconds(2))
        let ward = h.hooks.requests(path: "/ward").map { json($0.body)["rule"] as? String }
        XCTAssertEqual(ward, ["sos"], "the silenced bp_high told nobody")

        // Pressed by accident: cancelled, the hotline is told "cancelled".
        let sos = try await h.alerts(state: "open").first { $0["rule"] as? String == "sos" }
        let sosID = sos?["id"] as? String ?? ""
        XCTAssertEqual(sos?["silenced"] as? Bool, false)
        let (cancelled, _) = try await HTTP.post(base + "/alerts/\(sosID)/cancel", json: #"{"by": "李强", "note": "误按"}"#)
        XCTAssertEqual(cancelled, 200)
        let updates = try await h.hotline.waitFor(count: 1, path: "/api/incidents/\(incidentID)/updates")
        XCTAssertEqual(json(updates[0].body)["status"] as? String, "cancelled")
        XCTAssertEqual(updates[0].header("Idempotency-Key"), incidentID + "/cancel")
        let detail = try await h.getJSON("/api/v1/alerts/\(sosID)")
        XCTAssertEqual((detail["alert"] as? [String: Any])?["cancelled"] as? Bool, true)
        XCTAssertEqual((detail["alert"] as? [String: Any])?["state"] as? String, "resolved")
    }

    func testARestartInTheMiddleKeepsTheEscalationSchedule() async throws {
        let rules = try Self.rules().replacingOccurrences(of: "after: 4s", with: "after: 8s")
        let h = try await GatewayHarness(rules: rules)
        try h.addWardAndSupervisorHooks()
        defer { Task { await h.shutdown() } }
        try await h.start()
        try h.publish("imede-sos")
        let ward = try await h.hooks.waitFor(count: 1, path: "/ward", timeout: .seconds(5))
        let opened = ward[0].arrivedAt

        // Stop in the middle of the 8 s wait, start again.
        XCTAssertEqual(h.gateway.stop(), 0)
        try await h.start()
        let sup = try await h.hooks.waitFor(count: 1, path: "/sup", timeout: .seconds(20))
        let waited = Double(sup[0].arrivedAt - opened) / 1000
        XCTAssertGreaterThanOrEqual(waited, 7, "the step kept its delay")
        XCTAssertLessThan(waited, 14, "the step kept its schedule instead of starting over")
        try await Task.sleep(for: .seconds(2))
        XCTAssertEqual(h.hooks.requests(path: "/ward").count, 1, "step 0 is not sent again after the restart")
        XCTAssertEqual(h.hooks.requests(path: "/sup").count, 1)
    }

    func testStaffAppTopicGetsTheNoticeOverMQTT() async throws {
        let h = try await GatewayHarness()
        defer { Task { await h.shutdown() } }
        try """
        notify:
          channels:
            app: {type: mqtt, topic: anxin/staff/alerts}
          groups:
            oncall: [app]
        """.appendLine(toFile: h.configPath)
        try await h.start()
        // A staff app subscribed to the topic (mosquitto_sub, QoS 1, first message).
        let sub = Process()
        sub.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        sub.arguments = [
            "-h", "127.0.0.1", "-p", "\(h.broker.port)", "-t", "anxin/staff/alerts", "-q", "1", "-C", "1", "-W", "15",
        ]
        let out = Pipe()
        sub.standardOutput = out
        try sub.run()
        try await Task.sleep(for: .milliseconds(500))
        try h.publish("imede-sos")
        let data = out.fileHandleForReading.readDataToEndOfFile()
        sub.waitUntilExit()
        XCTAssertEqual(sub.terminationStatus, 0, "no notice on the staff topic")
        let notice = json(Array(data))
        XCTAssertEqual(notice["rule"] as? String, "sos")
        XCTAssertEqual(notice["severity"] as? String, "critical")
        XCTAssertEqual((notice["resident"] as? [String: Any])?["name"] as? String, "张桂兰")
        XCTAssertTrue((notice["board_url"] as? String ?? notice["url"] as? String ?? "").contains("/board/#/alert/"))
    }

    func testHeartbeatReachesTheHotlineSigned() async throws {
        let h = try await GatewayHarness()
        defer { Task { await h.shutdown() } }
        try await h.start()
        let beats = try await h.hooks.waitFor(count: 1, path: "/heartbeat", timeout: .seconds(10))
        let b = json(beats[0].body)
        XCTAssertEqual(b["gateway_id"] as? String, "it-01")
        // The first beat goes out as the gateway starts, so it may not be connected yet.
        XCTAssertNotNil(b["mqtt_connected"] as? Bool)
        XCTAssertNotNil(b["outbox_depth"] as? Int)
        let expected =
            "sha256="
            + HMAC<SHA256>.authenticationCode(for: beats[0].body, using: SymmetricKey(data: h.secret))
            .map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(beats[0].header("X-Anxin-Signature"), expected)
    }
}

extension String {
    func appendLine(toFile path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: Data(("\n" + self + "\n").utf8))
    }
}
