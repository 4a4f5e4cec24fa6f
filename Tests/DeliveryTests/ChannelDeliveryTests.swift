import AnxinCore
import AnxinTesting
import Foundation
import Store
import XCTest

@testable import Delivery

/// Staff channels through the real outbox (SQLite) to a real HTTP receiver.
final class ChannelDeliveryTests: XCTestCase {
    private let t0 = Fixture.openedAt

    private struct WeComBody: Decodable, Equatable {
        struct Markdown: Decodable, Equatable { var content: String }
        struct Text: Decodable, Equatable {
            var content: String
            var mentioned_list: [String]
        }
        var msgtype: String
        var markdown: Markdown?
        var text: Text?
    }

    private struct DingTalkBody: Decodable, Equatable {
        struct Markdown: Decodable, Equatable {
            var title: String
            var text: String
        }
        struct At: Decodable, Equatable { var isAtAll: Bool }
        var msgtype: String
        var markdown: Markdown
        var at: At
    }

    func testWeComRateLimitIsRetriedThenDeliveredAndShowsOnTheAlert() async throws {
        let robot = HotlineReceiver()
        robot.script(path: "/cgi-bin/webhook/send", [.json(#"{"errcode":45009,"errmsg":"api freq out of limit"}"#)])
        robot.setDefaultReply(.json(#"{"errcode":0,"errmsg":"ok"}"#), path: "/cgi-bin/webhook/send")
        _ = try await robot.start()
        let store = try Fixture.store(self)
        try Fixture.insertAlert(store, "A-1", at: t0)
        let content = Fixture.notice()
        XCTAssertTrue(try store.enqueue(content.outboxItem(channel: "wecom-ward3", format: .wecom, createdAt: t0)))
        let clock = ManualWallClock(t0)
        let outcomes = OutcomeLog()
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: store),
            transports: [
                "wecom-ward3": WeComTransport(url: robot.url(path: "/cgi-bin/webhook/send?key=K-3"), clock: clock)
            ],
            clock: clock, logger: Fixture.quiet, random: { 0.5 }, onOutcome: { o, _ in outcomes.record(o) })
        let id = "A-1/0/2/wecom-ward3"

        try await Fixture.running(dispatcher) {
            try await Fixture.eventually { try store.outboxItem(id: id)?.attempts == 1 }
            let waiting = try XCTUnwrap(try store.outboxItem(id: id))
            XCTAssertEqual(waiting.state, .pending)
            XCTAssertEqual(waiting.lastError, "errcode 45009 api freq out of limit")
            XCTAssertEqual(waiting.nextAttemptAt, t0 + 1000)
            XCTAssertEqual(robot.requests.count, 1, "the @all text is not sent while the markdown waits")

            clock.set(waiting.nextAttemptAt)
            dispatcher.wake()
            try await Fixture.eventually { try store.outboxItem(id: id)?.state == .delivered }
        }

        let requests = robot.requests
        XCTAssertEqual(requests.map(\.path), Array(repeating: "/cgi-bin/webhook/send", count: 3))
        XCTAssertEqual(requests.map(\.query), Array(repeating: "key=K-3", count: 3))
        XCTAssertEqual(
            requests.map { $0.header("Content-Type") }, Array(repeating: "application/json; charset=utf-8", count: 3))
        let bodies = try requests.map { try JSONDecoder().decode(WeComBody.self, from: Data($0.body)) }
        XCTAssertEqual(bodies.map(\.msgtype), ["markdown", "markdown", "text"])
        XCTAssertEqual(bodies[1].markdown?.content, WeComMessage.markdown(content))
        XCTAssertEqual(bodies[2].text, .init(content: WeComMessage.mentionText(content), mentioned_list: ["@all"]))
        let parts = WeComMessage.messages(in: WeComMessage.render(content))
        XCTAssertEqual(requests.map(\.body), [parts[0], parts[0], parts[1]])
        let done = try XCTUnwrap(try store.outboxItem(id: id))
        XCTAssertEqual(done.attempts, 2)
        XCTAssertEqual(done.lastStatus, 200)
        XCTAssertNil(done.lastError)
        XCTAssertEqual(outcomes.all, [.retry, .accepted])
        let history = try store.history(alertID: "A-1")
        XCTAssertEqual(history.map(\.action), [.delivered])
        XCTAssertEqual(history.first?.by, "wecom-ward3")
        XCTAssertEqual(history.first?.detail, "wecom-ward3")
        XCTAssertEqual(history.first?.note, "HTTP 200")
        XCTAssertNil(try store.alert(id: "A-1")?.incidentID, "a notice is not an incident")
        await robot.stop()
    }

    func testDingTalkSignedURLVerifiesAtTheReceiverAndARefusalIsKept() async throws {
        let secret = "SECa1b2c3d4e5f6anxin"
        let robot = HotlineReceiver()
        robot.script(path: "/robot/send", [.json(#"{"errcode":0,"errmsg":"ok"}"#)])
        robot.setDefaultReply(.json(#"{"errcode":310000,"errmsg":"keywords not in content"}"#), path: "/robot/send")
        _ = try await robot.start()
        let store = try Fixture.store(self)
        try Fixture.insertAlert(store, "A-1", severity: .urgent, at: t0)
        try Fixture.insertAlert(store, "A-2", severity: .warning, at: t0)
        let urgent = Fixture.notice(severity: .urgent)
        try store.enqueue(urgent.outboxItem(channel: "dingtalk-sup", format: .dingtalk, createdAt: t0))
        try store.enqueue(
            Fixture.notice("A-2", severity: .warning).outboxItem(
                channel: "dingtalk-sup", format: .dingtalk, createdAt: t0))
        let clock = ManualWallClock(t0 + 5)
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: store),
            transports: [
                "dingtalk-sup": DingTalkTransport(
                    url: robot.url(path: "/robot/send?access_token=TOK"), secret: secret, clock: clock)
            ],
            clock: clock, logger: Fixture.quiet)

        try await Fixture.running(dispatcher) {
            try await Fixture.eventually { try store.outboxItem(id: "A-2/0/2/dingtalk-sup")?.state == .rejected }
        }

        let requests = robot.requests(path: "/robot/send")
        XCTAssertEqual(requests.count, 2)
        let first = requests[0]
        XCTAssertEqual(first.queryValue("access_token"), "TOK")
        XCTAssertEqual(first.queryValue("timestamp"), "\(t0 + 5)")
        XCTAssertTrue(DingTalkSignatureCheck.isValid(first, secret: secret, now: t0))
        XCTAssertFalse(DingTalkSignatureCheck.isValid(first, secret: secret + "x", now: t0))
        XCTAssertFalse(DingTalkSignatureCheck.isValid(first, secret: secret, now: t0 + 3_700_000))
        XCTAssertEqual(first.body, DingTalkMessage.render(urgent), "urgent goes before the warning")
        let decoded = try JSONDecoder().decode(DingTalkBody.self, from: Data(first.body))
        XCTAssertEqual(decoded.msgtype, "markdown")
        XCTAssertEqual(decoded.markdown.title, "【紧急】张桂兰 3号楼302室 SOS 呼叫")
        XCTAssertEqual(decoded.markdown.text, DingTalkMessage.text(urgent))
        XCTAssertEqual(decoded.at, .init(isAtAll: false))

        XCTAssertEqual(try store.outboxItem(id: "A-1/0/2/dingtalk-sup")?.state, .delivered)
        let refused = try XCTUnwrap(try store.outboxItem(id: "A-2/0/2/dingtalk-sup"))
        XCTAssertEqual(refused.attempts, 1)
        XCTAssertEqual(refused.lastError, "errcode 310000 keywords not in content")
        let history = try store.history(alertID: "A-2")
        XCTAssertEqual(history.map(\.action), [.rejected])
        XCTAssertEqual(history.first?.note, "errcode 310000 keywords not in content")
        XCTAssertEqual(history.first?.detail, "dingtalk-sup")
        await robot.stop()
    }

    func testWebhookIsSignedAndKeyed() async throws {
        let secret = Array("hook-secret".utf8)
        let hook = HotlineReceiver(secret: secret, rejectInvalidSignatures: true)
        _ = try await hook.start()
        let store = try Fixture.store(self)
        try Fixture.insertAlert(store, "A-1", at: t0)
        let content = Fixture.notice(reminder: 0)
        try store.enqueue(content.outboxItem(channel: "ops-hook", format: .webhook, createdAt: t0))
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: store),
            transports: ["ops-hook": WebhookTransport(url: hook.url(path: "/hook"), secret: secret)],
            clock: ManualWallClock(t0), logger: Fixture.quiet)

        try await Fixture.running(dispatcher) {
            try await Fixture.eventually { try store.outboxItem(id: "A-1/0/0/ops-hook")?.state == .delivered }
        }

        let request = try XCTUnwrap(hook.requests(path: "/hook").first)
        XCTAssertEqual(request.signatureValid, true)
        XCTAssertEqual(request.answeredStatus, 200)
        XCTAssertEqual(request.header("Idempotency-Key"), "A-1/0/0/ops-hook")
        XCTAssertEqual(request.header("X-Anxin-Signature"), HotlineSignature.sign(body: request.body, secret: secret))
        XCTAssertEqual(request.body, WebhookNoticeBody.render(content))
        await hook.stop()
    }

    func testADeadChannelDoesNotHoldBackTheHotline() async throws {
        let receiver = HotlineReceiver()
        receiver.setDefaultReply(.status(500, delay: .seconds(2)), path: "/wecom")
        receiver.setDefaultReply(.accepted(ticket: "T-1"), path: "/api/incidents")
        _ = try await receiver.start()
        let store = try Fixture.store(self)
        for n in 1...5 {
            let at = t0 - 10_000 + EpochMillis(n)
            try Fixture.insertAlert(store, "A-\(n)", at: at)
            try store.enqueue(
                Fixture.notice("A-\(n)").outboxItem(channel: "wecom-ward3", format: .wecom, createdAt: at))
        }
        try store.inTransaction(durable: true) {
            try Fixture.insertAlert(store, "A-9", at: t0)
            try store.enqueueIncident(
                OutboxItem(
                    id: "jn-01-A-9", alertID: "A-9", priority: 0, body: Array(#"{"id":"jn-01-A-9"}"#.utf8),
                    createdAt: t0))
        }
        XCTAssertEqual(
            try store.due(now: t0, limit: 10).last?.id, "jn-01-A-9", "the incident is queued after the notices")
        let outbox = StoreDeliveryOutbox(store: store)
        let dispatcher = OutboxDispatcher(
            outbox: outbox,
            transports: [
                "wecom-ward3": WeComTransport(url: receiver.url(path: "/wecom"), timeout: .seconds(5)),
                "hotline": HotlineTransport(settings: HotlineSettings(url: receiver.url)),
            ],
            clock: ManualWallClock(t0), logger: Fixture.quiet)

        let started = ContinuousClock.now
        try await Fixture.running(dispatcher) {
            try await receiver.waitFor(count: 1, path: "/api/incidents", timeout: .seconds(1))
            XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(1500))
            try await Fixture.eventually(timeout: .seconds(1)) {
                try store.alert(id: "A-9")?.incidentState == .delivered
            }
            try await receiver.waitFor(count: 1, path: "/wecom", timeout: .seconds(1))
            XCTAssertEqual(receiver.requests(path: "/wecom").count, 1, "one WeCom attempt at a time")
            let notices = try store.outboxItems(state: .pending, limit: 10)
            XCTAssertEqual(notices.map(\.attempts), [0, 0, 0, 0, 0], "no WeCom attempt has finished yet")
        }
        XCTAssertEqual(try store.alert(id: "A-9")?.ticket, "T-1")
        XCTAssertEqual(try store.history(alertID: "A-9").map(\.note), ["ticket T-1"])
        await receiver.stop()
    }

    func testAChannelWithoutTransportWaitsInTheOutbox() async throws {
        let store = try Fixture.store(self)
        try Fixture.insertAlert(store, "A-1", at: t0)
        try store.enqueue(Fixture.notice().outboxItem(channel: "staff-app", format: .webhook, createdAt: t0))
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: store),
            transports: ["hotline": HotlineTransport(settings: HotlineSettings(url: "http://127.0.0.1:9/x"))],
            clock: ManualWallClock(t0), logger: Fixture.quiet, random: { 0 })

        try await Fixture.running(dispatcher) {
            try await Fixture.eventually { try store.outboxItem(id: "A-1/0/2/staff-app")?.attempts == 1 }
        }

        let item = try XCTUnwrap(try store.outboxItem(id: "A-1/0/2/staff-app"))
        XCTAssertEqual(item.state, .pending)
        XCTAssertEqual(item.lastError, "no transport for channel staff-app")
        XCTAssertEqual(item.nextAttemptAt, t0 + 800)
        XCTAssertEqual(try store.history(alertID: "A-1"), [])
    }
}
