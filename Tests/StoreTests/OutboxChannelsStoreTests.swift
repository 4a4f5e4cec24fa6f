import AnxinCore
import XCTest

@testable import Store

final class OutboxChannelsStoreTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000

    private func alert(_ store: Store, _ id: String, severity: Severity = .critical) throws {
        try store.insertAlert(
            AlertRecord(
                id: id, rule: "sos", severity: severity, residentID: "R-1", device: "D1", triggerJSON: "{}",
                occurredAt: t0, openedAt: t0, updatedAt: t0))
    }

    private func notice(_ alertID: String, channel: String, priority: Int = 0, at: EpochMillis) -> OutboxItem {
        OutboxItem(
            id: "\(alertID)/0/0/\(channel)", alertID: alertID, priority: priority, body: Array("{}".utf8),
            createdAt: at,
            channel: channel, kind: .notice)
    }

    private func hotlineStatus(_ store: Store, _ alertID: String) throws -> String? {
        try store.locked { () throws(SQLiteError) -> String? in
            try store.query(
                "SELECT hotline_status FROM alerts WHERE id = ?", "test",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, alertID)
                }, row: { $0.optionalText(0) }
            ).first ?? nil
        }
    }

    func testNoticesMayRideAnOrdinaryTransactionUpdatesMayNot() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            try alert(store, "A-1")
            XCTAssertTrue(try store.enqueue(notice("A-1", channel: "wecom-ward3", at: t0)))
            XCTAssertFalse(try store.enqueue(notice("A-1", channel: "wecom-ward3", at: t0 + 5)))
        }
        let update = OutboxItem(
            id: "I-1/ack", alertID: "A-1", priority: 0, body: [1], createdAt: t0, channel: "hotline", kind: .update)
        XCTAssertThrowsError(try store.inTransaction { try store.enqueue(update) }) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLiteError.misuse)
        }
        XCTAssertNil(try store.outboxItem(id: "I-1/ack"))
        XCTAssertTrue(try store.enqueue(update))  // on its own it commits durably
        let stored = try XCTUnwrap(try store.outboxItem(id: "A-1/0/0/wecom-ward3"))
        XCTAssertEqual(stored.channel, "wecom-ward3")
        XCTAssertEqual(stored.kind, .notice)
        XCTAssertEqual(stored.createdAt, t0)
        XCTAssertNil(try store.alert(id: "A-1")?.incidentID, "only incidents point the alert at themselves")
        XCTAssertEqual(try store.outboxItem(id: "I-1/ack")?.kind, .update)
    }

    func testDueAcrossChannelsCriticalFirstWithExclusions() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction(durable: true) {
            try alert(store, "A-1", severity: .warning)
            try alert(store, "A-2")
            try store.enqueue(notice("A-1", channel: "wecom-ward3", priority: 2, at: t0))
            try store.enqueue(notice("A-2", channel: "dingtalk-sup", priority: 0, at: t0 + 10))
            try store.enqueueIncident(OutboxItem(id: "I-2", alertID: "A-2", priority: 0, body: [], createdAt: t0 + 20))
            try store.enqueue(
                OutboxItem(
                    id: "I-2/ack", alertID: "A-2", priority: 0, body: [], createdAt: t0 + 30, channel: "hotline",
                    kind: .update))
        }
        XCTAssertEqual(
            try store.due(now: t0 + 30, limit: 10).map(\.id),
            ["A-2/0/0/dingtalk-sup", "I-2", "I-2/ack", "A-1/0/0/wecom-ward3"])
        XCTAssertEqual(try store.due(now: t0 + 30, limit: 2).map(\.id), ["A-2/0/0/dingtalk-sup", "I-2"])
        XCTAssertEqual(
            try store.due(now: t0 + 30, limit: 10, excludingChannels: ["hotline", "dingtalk-sup"]).map(\.id),
            ["A-1/0/0/wecom-ward3"])
        XCTAssertEqual(
            try store.due(now: t0 + 15, limit: 10).map(\.id), ["A-2/0/0/dingtalk-sup", "A-1/0/0/wecom-ward3"])
        XCTAssertEqual(try store.dueIncidents(now: t0 + 30, limit: 10).map(\.id), ["I-2"])
        XCTAssertEqual(try store.nextDueTime(), t0 + 20, "incidents only")
        XCTAssertEqual(try store.nextDueTime(excludingChannels: []), t0)
        XCTAssertEqual(try store.nextDueTime(excludingChannels: ["wecom-ward3"]), t0 + 10)
        XCTAssertNil(try store.nextDueTime(excludingChannels: ["wecom-ward3", "dingtalk-sup", "hotline"]))
        XCTAssertEqual(try store.outboxStats(now: t0 + 1_000).depth, 4)
        XCTAssertEqual(
            try store.outboxItems(alertID: "A-2").map { "\($0.channel):\($0.kind.rawValue)" },
            ["dingtalk-sup:notice", "hotline:incident", "hotline:update"])
        XCTAssertEqual(try store.outboxItems(state: .pending, limit: 10).count, 4)
    }

    func testOutcomesOfNoticesAndUpdatesShowOnTheAlert() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction(durable: true) {
            try alert(store, "A-1")
            try store.enqueueIncident(OutboxItem(id: "I-1", alertID: "A-1", priority: 0, body: [], createdAt: t0))
            try store.enqueue(notice("A-1", channel: "wecom-ward3", at: t0))
            try store.enqueue(notice("A-1", channel: "ops-hook", at: t0))
            try store.enqueue(
                OutboxItem(
                    id: "I-1/resolve", alertID: "A-1", priority: 0, body: [], createdAt: t0, channel: "hotline",
                    kind: .update))
        }
        XCTAssertTrue(try store.markDelivered(id: "I-1", status: 200, ticket: "T-1", at: t0 + 1))
        XCTAssertTrue(
            try store.markRetry(id: "A-1/0/0/ops-hook", status: 503, error: "HTTP 503", nextAttemptAt: t0 + 9))
        XCTAssertTrue(try store.markDelivered(id: "A-1/0/0/wecom-ward3", status: 200, ticket: nil, at: t0 + 2))
        XCTAssertTrue(try store.markRejected(id: "A-1/0/0/ops-hook", status: 404, error: "HTTP 404", at: t0 + 3))
        XCTAssertFalse(try store.markDelivered(id: "A-1/0/0/ops-hook", status: 200, ticket: nil, at: t0 + 4))
        XCTAssertTrue(
            try store.markDelivered(id: "I-1/resolve", status: 200, ticket: "T-2", hotlineStatus: "closed", at: t0 + 5))

        let history = try store.history(alertID: "A-1")
        XCTAssertEqual(history.map(\.action), [.delivered, .rejected, .delivered])
        XCTAssertEqual(history.map(\.by), ["wecom-ward3", "ops-hook", "hotline"])
        XCTAssertEqual(history.map(\.detail), ["wecom-ward3", "ops-hook", "hotline"])
        XCTAssertEqual(history.map(\.note), ["HTTP 200", "HTTP 404", "HTTP 200, ticket T-2, status closed"])
        let a = try XCTUnwrap(try store.alert(id: "A-1"))
        XCTAssertEqual(a.incidentID, "I-1")
        XCTAssertEqual(a.incidentState, .delivered, "notices and updates never touch incident_state")
        XCTAssertEqual(a.ticket, "T-2")
        XCTAssertEqual(try hotlineStatus(store, "A-1"), "closed")
        let hook = try XCTUnwrap(try store.outboxItem(id: "A-1/0/0/ops-hook"))
        XCTAssertEqual(hook.state, .rejected)
        XCTAssertEqual(hook.attempts, 2)

        XCTAssertTrue(try store.requeue(id: "A-1/0/0/ops-hook", now: t0 + 10))
        XCTAssertEqual(try store.outboxItem(id: "A-1/0/0/ops-hook")?.state, .pending)
        XCTAssertEqual(try store.alert(id: "A-1")?.incidentState, .delivered)
        XCTAssertEqual(try store.due(now: t0 + 10, limit: 10).map(\.id), ["A-1/0/0/ops-hook"])
    }

    func testChannelAndKindSurviveReopen() throws {
        let tmp = try TempFolder(self)
        let path = tmp.file("anxin.db")
        do {
            let store = try Store(path: path)
            try store.inTransaction {
                try alert(store, "A-1")
                try store.enqueue(notice("A-1", channel: "staff-app", at: t0))
            }
            store.close()
        }
        let store = try Store(path: path, readOnly: true)
        let item = try XCTUnwrap(try store.outboxItems(alertID: "A-1").first)
        XCTAssertEqual(item.channel, "staff-app")
        XCTAssertEqual(item.kind, .notice)
        XCTAssertEqual(item.body, Array("{}".utf8))
    }
}
