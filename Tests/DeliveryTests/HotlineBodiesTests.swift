import AnxinCore
import XCTest

@testable import Delivery

final class HotlineBodiesTests: XCTestCase {
    /// 2026-11-22T08:17:12+08:00.
    private let at: EpochMillis = 1_795_306_632_000

    func testFollowUpBodyAndRow() {
        let update = HotlineUpdate(
            incidentID: "jn-01-A-1", gatewayID: "jn-01", status: .acknowledged, by: "王护士", note: "已电话联系家属", at: at)
        XCTAssertEqual(
            String(decoding: update.render(), as: UTF8.self),
            #"{"incident_id":"jn-01-A-1","gateway_id":"jn-01","status":"acknowledged","by":"王护士","#
                + #""note":"已电话联系家属","at":"2026-11-22T08:17:12+08:00"}"#)
        let item = update.outboxItem(alertID: "A-1", priority: 0, createdAt: at)
        XCTAssertEqual(item.id, "jn-01-A-1/ack")
        XCTAssertEqual(item.channel, "hotline")
        XCTAssertEqual(item.kind, .update)
        XCTAssertEqual(item.body, update.render())
        XCTAssertEqual(PendingDelivery(item).incidentID, "jn-01-A-1")

        let cancel = HotlineUpdate(
            incidentID: "jn-01-A-1", gatewayID: "jn-01", status: .cancelled, by: "rules", note: nil, at: at,
            utcOffsetSeconds: 0)
        XCTAssertEqual(cancel.outboxID, "jn-01-A-1/cancel")
        XCTAssertEqual(
            String(decoding: cancel.render(), as: UTF8.self),
            #"{"incident_id":"jn-01-A-1","gateway_id":"jn-01","status":"cancelled","by":"rules","note":null,"#
                + #""at":"2026-11-22T00:17:12Z"}"#)
        XCTAssertEqual(HotlineUpdate.Status.resolved.idSuffix, "resolve")
    }

    func testHeartbeatBody() {
        let ok = HeartbeatReport(healthy: true, mqttConnected: true, outboxDepth: 2, oldestPendingAgeSeconds: 12.3456)
        XCTAssertEqual(
            String(decoding: ok.render(gatewayID: "jn-01", at: at, utcOffsetSeconds: 28800), as: UTF8.self),
            #"{"gateway_id":"jn-01","at":"2026-11-22T08:17:12+08:00","status":"ok","mqtt_connected":true,"#
                + #""outbox_depth":2,"oldest_pending_age_s":12.346}"#)
        let down = HeartbeatReport(healthy: false, mqttConnected: false, outboxDepth: 0, oldestPendingAgeSeconds: 0)
        XCTAssertEqual(
            String(decoding: down.render(gatewayID: "jn-01", at: at, utcOffsetSeconds: 28800), as: UTF8.self),
            #"{"gateway_id":"jn-01","at":"2026-11-22T08:17:12+08:00","status":"degraded","mqtt_connected":false,"#
                + #""outbox_depth":0,"oldest_pending_age_s":0}"#)
    }

    func testFollowUpAndHeartbeatURLs() {
        let plain = HotlineSettings(url: "http://127.0.0.1:9/api/incidents")
        XCTAssertEqual(plain.updatesURL(incidentID: "jn-01-A-1"), "http://127.0.0.1:9/api/incidents/jn-01-A-1/updates")
        XCTAssertEqual(plain.updatesURL(incidentID: "jn 01/A"), "http://127.0.0.1:9/api/incidents/jn%2001%2FA/updates")
        XCTAssertEqual(plain.defaultHeartbeatURL, "http://127.0.0.1:9/api/incidents/heartbeat")
        let custom = HotlineSettings(url: "http://h/api/incidents/", updatesURL: "http://h/followups/{id}")
        XCTAssertEqual(custom.updatesURL(incidentID: "I-9"), "http://h/followups/I-9")
        XCTAssertEqual(custom.defaultHeartbeatURL, "http://h/api/incidents/heartbeat")
    }

    func testRobotAnswers() {
        func result(_ robot: RobotAnswer, _ status: Int, _ body: String) -> DeliveryResult {
            robot.result(status: status, retryAfterMs: nil, body: Array(body.utf8))
        }
        XCTAssertEqual(result(.wecom, 200, #"{"errcode":0,"errmsg":"ok"}"#), DeliveryResult(.accepted, status: 200))
        XCTAssertEqual(
            result(.wecom, 200, #"{"errcode":45009,"errmsg":"api freq out of limit"}"#),
            DeliveryResult(.retry(afterMs: nil), status: 200, reason: "errcode 45009 api freq out of limit"))
        XCTAssertEqual(
            result(.wecom, 200, #"{"errcode":93000,"errmsg":"invalid webhook url"}"#),
            DeliveryResult(.rejected, status: 200, reason: "errcode 93000 invalid webhook url"))
        XCTAssertEqual(
            result(.dingtalk, 200, #"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#).verdict,
            .retry(afterMs: nil))
        XCTAssertEqual(result(.dingtalk, 200, #"{"errcode":-1,"errmsg":"系统繁忙"}"#).verdict, .retry(afterMs: nil))
        XCTAssertEqual(
            result(.dingtalk, 200, #"{"errcode":310000,"errmsg":"sign not match"}"#),
            DeliveryResult(.rejected, status: 200, reason: "errcode 310000 sign not match"))
        XCTAssertEqual(result(.dingtalk, 200, "").verdict, .accepted)
        XCTAssertEqual(result(.wecom, 502, "").verdict, .retry(afterMs: nil))
        XCTAssertEqual(result(.wecom, 404, #"{"errcode":0}"#).verdict, .rejected)
        XCTAssertEqual(
            RobotAnswer.wecom.result(status: 429, retryAfterMs: 9000, body: []).verdict, .retry(afterMs: 9000))
    }

    func testWebhookAndHotlineAnswersCarryTicketAndStatus() {
        let body = Array(#"{"ticket":"T-5","status":"dispatched"}"#.utf8)
        XCTAssertEqual(
            HotlineAnswer(status: 201, retryAfterMs: nil, body: body).result(status: 201, body: body),
            DeliveryResult(.accepted, status: 201, ticket: "T-5", hotlineStatus: "dispatched"))
        XCTAssertEqual(
            HotlineAnswer(status: 409, retryAfterMs: nil, body: body).result(status: 409, body: body),
            DeliveryResult(.duplicate, status: 409, ticket: "T-5", hotlineStatus: "dispatched"))
        XCTAssertEqual(
            HotlineAnswer(status: 422, retryAfterMs: nil, body: body).result(status: 422, body: body).failureText,
            "HTTP 422")
    }
}
