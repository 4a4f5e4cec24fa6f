import AnxinCore
import AnxinTesting
import Foundation
import Store
import XCTest

final class SustainedRuleTests: XCTestCase {
    /// An iMEDE buffered upload: one sample every 20 s over `seconds`, ending `endAgo` s ago.
    func batch(hr: Int, seconds: Int, endAgo: Int) -> String {
        let now = SystemWallClock().now() / 1000 - Int64(endAgo)
        let items = stride(from: seconds, through: 0, by: -20).map { k in
            "{\"timestamp\":\(now - Int64(k)),\"heartRate\":\(hr),\"spO2\":97}"
        }
        return "{\"IMEI\":\"865067021234567\",\"num_datas\":\(items.count),\"data\":[\(items.joined(separator: ","))]}"
    }

    func testThreeMinutesAt150OpensOneUrgentAlertAndRecoveryResolvesIt() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        // Three minutes of 150 bpm by the readings' own timestamps, in two uploads.
        try h.publish(topic: "iMEDE_watch/AP55", batch(hr: 150, seconds: 100, endAgo: 200))
        try h.publish(topic: "iMEDE_watch/AP55", batch(hr: 150, seconds: 80, endAgo: 100))
        let opened = try await h.eventually { try await h.alerts(state: "open").count == 1 }
        XCTAssertTrue(opened)
        let open = try await h.alerts(state: "open")
        XCTAssertEqual(open.first?["rule"] as? String, "heart_rate_high")
        XCTAssertEqual(open.first?["severity"] as? String, "urgent")
        XCTAssertEqual((open.first?["resident"] as? [String: Any])?["id"] as? String, "R-0001")
        XCTAssertEqual(h.hotline.requests.count, 0, "urgent heart rate goes to staff first, not the hotline")
        // Readings back under the clear limit (< 120) resolve it.
        try h.publish(topic: "iMEDE_watch/AP55", batch(hr: 88, seconds: 60, endAgo: 0))
        let cleared = try await h.eventually { try await h.alerts(state: "open").isEmpty }
        XCTAssertTrue(cleared)
        let resolved = try await h.alerts(state: "resolved")
        XCTAssertEqual(resolved.count, 1)
        XCTAssertEqual(resolved.first?["rule"] as? String, "heart_rate_high")
        let openedCount = try await h.metric("anxin_alerts_opened_total{rule=\"heart_rate_high\",severity=\"urgent\"}")
        XCTAssertEqual(openedCount, 1)
        await h.shutdown()
    }

    func testAcknowledgeAndResolveThroughTheAPI() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        try h.publish("imede-fall")
        let opened = try await h.eventually { try await h.alerts(state: "open").count == 1 }
        XCTAssertTrue(opened)
        let id = try await h.alerts(state: "open")[0]["id"] as! String
        let (s1, _) = try await HTTP.post(
            "http://127.0.0.1:\(h.httpPort)/api/v1/alerts/\(id)/ack",
            json: "{\"by\":\"nurse-7\",\"note\":\"on my way\"}")
        XCTAssertEqual(s1, 200)
        let acked = try await h.alerts(state: "acknowledged")
        XCTAssertEqual(acked.first?["acknowledged_by"] as? String, "nurse-7")
        let (s2, _) = try await HTTP.post(
            "http://127.0.0.1:\(h.httpPort)/api/v1/alerts/\(id)/resolve", json: "{\"by\":\"nurse-7\"}")
        XCTAssertEqual(s2, 200)
        let (s3, d3) = try await HTTP.post(
            "http://127.0.0.1:\(h.httpPort)/api/v1/alerts/\(id)/ack", json: "{\"by\":\"nurse-7\"}")
        XCTAssertEqual(s3, 409)
        XCTAssertTrue(String(decoding: d3, as: UTF8.self).contains("\"error\""))
        let (s4, _) = try await HTTP.post(
            "http://127.0.0.1:\(h.httpPort)/api/v1/alerts/nope/ack", json: "{\"by\":\"x\"}")
        XCTAssertEqual(s4, 404)
        let resident = try await h.getJSON("/api/v1/residents/R-0001")
        XCTAssertEqual(resident["name"] as? String, "张桂兰")
        await h.shutdown()
    }

    /// SIGTERM: stop taking messages, commit what is in hand, exit 0.
    func testSIGTERMCommitsWhatIsInHandAndExitsZero() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        try h.publish(topic: "iMEDE_watch/AP55", batch(hr: 70, seconds: 200, endAgo: 0))
        // Wait until the gateway has taken the message, then stop it at once.
        let taken = try await h.eventually { (try await h.metric("anxin_messages_received_total") ?? 0) >= 1 }
        XCTAssertTrue(taken)
        XCTAssertEqual(h.gateway.stop(), 0, "SIGTERM exits 0")
        let store = try Store(path: h.dir.path + "/anxin.db", readOnly: true)
        XCTAssertEqual(try store.readingCount(), 11 * 2, "11 samples of heart rate and SpO2 committed")
        XCTAssertTrue(h.gateway.log.contains("committing what is in hand"))
        await h.shutdown()
    }
}
