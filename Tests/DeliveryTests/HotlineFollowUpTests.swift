import AnxinCore
import AnxinTesting
import Synchronization
import XCTest

@testable import Delivery
@testable import Store

/// Follow-ups to an incident and the heartbeat, against a real HTTP receiver.
final class HotlineFollowUpTests: XCTestCase {
    private let t0 = Fixture.openedAt
    private let secret = Array("hotline-secret".utf8)

    private func hotlineStatus(_ store: Store, alertID: String) throws -> String? {
        try store.locked { () throws(SQLiteError) -> String? in
            try store.query(
                "SELECT hotline_status FROM alerts WHERE id = ?", "test: read hotline status",
                bind: { s throws(SQLiteError) in try s.bind(1, alertID) }, row: { $0.optionalText(0) }
            ).first ?? nil
        }
    }

    func testAcknowledgementIsPostedAsAnUpdateAndItsTicketLandsOnTheAlert() async throws {
        let hotline = HotlineReceiver(secret: secret, dedupe: true, rejectInvalidSignatures: true)
        hotline.setDefaultReply(
            .json(#"{"ticket":"T-77","status":"dispatcher_notified"}"#), path: "/api/incidents/jn-01-A-1/updates")
        _ = try await hotline.start()
        let store = try Fixture.store(self)
        try store.inTransaction(durable: true) {
            try Fixture.insertAlert(store, "A-1", at: t0)
            try store.enqueueIncident(
                OutboxItem(id: "jn-01-A-1", alertID: "A-1", priority: 0, body: Array("{}".utf8), createdAt: t0))
        }
        XCTAssertTrue(try store.markDelivered(id: "jn-01-A-1", status: 200, ticket: "T-1", at: t0 + 100))
        let update = HotlineUpdate(
            incidentID: "jn-01-A-1", gatewayID: "jn-01", status: .acknowledged, by: "王护士", note: "已上门", at: t0 + 60_000)
        // A follow-up must ride a durable transaction, like the incident.
        XCTAssertThrowsError(
            try store.inTransaction { try store.enqueue(update.outboxItem(alertID: "A-1", priority: 0, createdAt: t0)) }
        )
        try store.inTransaction(durable: true) {
            try store.enqueue(update.outboxItem(alertID: "A-1", priority: 0, createdAt: t0 + 60_000))
        }
        let clock = ManualWallClock(t0 + 60_000)
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: store),
            transports: ["hotline": HotlineTransport(settings: HotlineSettings(url: hotline.url, secret: secret))],
            clock: clock, logger: Fixture.quiet)

        try await Fixture.running(dispatcher) {
            try await Fixture.eventually { try store.outboxItem(id: "jn-01-A-1/ack")?.state == .delivered }
        }

        let request = try XCTUnwrap(hotline.requests.first)
        XCTAssertEqual(hotline.requests.count, 1)
        XCTAssertEqual(request.path, "/api/incidents/jn-01-A-1/updates")
        XCTAssertEqual(request.header("Idempotency-Key"), "jn-01-A-1/ack")
        XCTAssertEqual(request.signatureValid, true)
        XCTAssertEqual(request.body, update.render())
        let alert = try XCTUnwrap(try store.alert(id: "A-1"))
        XCTAssertEqual(alert.ticket, "T-77")
        XCTAssertEqual(alert.incidentState, .delivered, "the incident's own state is untouched")
        XCTAssertEqual(try hotlineStatus(store, alertID: "A-1"), "dispatcher_notified")
        let history = try store.history(alertID: "A-1")
        XCTAssertEqual(history.map(\.action), [.delivered])
        XCTAssertEqual(history.first?.by, "hotline")
        XCTAssertEqual(history.first?.note, "HTTP 200, ticket T-77, status dispatcher_notified")
        XCTAssertEqual(try store.outboxItems(alertID: "A-1").map(\.kind), [.incident, .update])
        await hotline.stop()
    }

    func testHeartbeatArrivesSignedEveryInterval() async throws {
        let hotline = HotlineReceiver(secret: secret)
        _ = try await hotline.start()
        let settings = HotlineSettings(url: hotline.url, secret: secret)
        let beats = Counter()
        let heartbeat = HotlineHeartbeat(
            url: settings.defaultHeartbeatURL, gatewayID: "jn-01", secret: secret, interval: .milliseconds(50),
            clock: ManualWallClock(t0), logger: Fixture.quiet,
            report: {
                beats.increment()
                return HeartbeatReport(healthy: true, mqttConnected: true, outboxDepth: 3, oldestPendingAgeSeconds: 4.5)
            })

        try await Fixture.running(heartbeat) {
            try await hotline.waitFor(count: 3, path: "/api/incidents/heartbeat")
        }

        let requests = hotline.requests(path: "/api/incidents/heartbeat")
        XCTAssertGreaterThanOrEqual(requests.count, 3)
        XCTAssertGreaterThanOrEqual(beats.value, 3)
        for r in requests {
            XCTAssertEqual(r.method, "POST")
            XCTAssertEqual(r.signatureValid, true)
            XCTAssertNil(r.header("Idempotency-Key"))
            XCTAssertEqual(
                r.bodyText,
                #"{"gateway_id":"jn-01","at":"2026-11-22T08:16:12+08:00","status":"ok","mqtt_connected":true,"#
                    + #""outbox_depth":3,"oldest_pending_age_s":4.5}"#)
        }
        await hotline.stop()
    }

    func testAFailedHeartbeatIsNotRetried() async throws {
        let hotline = HotlineReceiver(defaultReply: .status(503))
        _ = try await hotline.start()
        let heartbeat = HotlineHeartbeat(
            url: hotline.url, gatewayID: "jn-01", secret: nil, clock: ManualWallClock(t0), logger: Fixture.quiet,
            report: {
                HeartbeatReport(healthy: false, mqttConnected: false, outboxDepth: 0, oldestPendingAgeSeconds: 0)
            })
        let first = await heartbeat.beat()
        XCTAssertFalse(first)
        hotline.setDefaultReply(.accepted())
        let second = await heartbeat.beat()
        XCTAssertTrue(second)
        XCTAssertEqual(hotline.requests.map(\.answeredStatus), [503, 200])
        XCTAssertTrue(hotline.requests[0].bodyText.contains(#""status":"degraded""#))
        await hotline.stop()
    }
}

/// A thread-safe counter.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
