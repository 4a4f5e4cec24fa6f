import AnxinCore
import XCTest

@testable import Store

final class OutboxStoreTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000

    private func insertAlertAndIncident(_ store: Store, _ n: Int, severity: Severity, at: EpochMillis) throws {
        try store.inTransaction(durable: true) {
            try store.insertAlert(
                AlertRecord(
                    id: "A-\(n)", rule: "sos", severity: severity, residentID: "R-1", device: "D1",
                    triggerJSON: #"{"event": "sos"}"#, occurredAt: at, openedAt: at, updatedAt: at))
            XCTAssertTrue(
                try store.enqueueIncident(
                    OutboxItem(
                        id: "I-\(n)", alertID: "A-\(n)", priority: Int(severity.rawValue), body: body(n), createdAt: at)
                ))
        }
    }

    private func body(_ n: Int) -> [UInt8] { Array(#"{"id": "I-\#(n)", "summary": "张桂兰 SOS 呼叫"}"#.utf8) + [0, 255] }

    func testCriticalFirstThenOldestAndOnlyWhenDue() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try insertAlertAndIncident(store, 1, severity: .warning, at: t0)
        try insertAlertAndIncident(store, 2, severity: .critical, at: t0 + 10)
        try insertAlertAndIncident(store, 3, severity: .urgent, at: t0 + 20)
        try insertAlertAndIncident(store, 4, severity: .critical, at: t0 + 30)

        XCTAssertEqual(try store.dueIncidents(now: t0 + 30, limit: 10).map(\.id), ["I-2", "I-4", "I-3", "I-1"])
        XCTAssertEqual(try store.dueIncidents(now: t0 + 30, limit: 2).map(\.id), ["I-2", "I-4"])
        XCTAssertEqual(try store.dueIncidents(now: t0 + 15, limit: 10).map(\.id), ["I-2", "I-1"])
        XCTAssertEqual(try store.nextDueTime(), t0)
        XCTAssertEqual(try store.alert(id: "A-2")?.incidentID, "I-2")
        XCTAssertEqual(try store.alert(id: "A-2")?.incidentState, .pending)
        let stats = try store.outboxStats(now: t0 + 60_000)
        XCTAssertEqual(stats.depth, 4)
        XCTAssertEqual(stats.oldestAgeSeconds, 60, accuracy: 1e-9)
    }

    func testRetryRejectRequeueAndDeliver() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try insertAlertAndIncident(store, 1, severity: .critical, at: t0)
        try insertAlertAndIncident(store, 2, severity: .urgent, at: t0)

        XCTAssertTrue(
            try store.markRetry(id: "I-1", status: 503, error: "hotline answered 503", nextAttemptAt: t0 + 2_000))
        XCTAssertTrue(
            try store.markRetry(id: "I-1", status: nil, error: "connection refused", nextAttemptAt: t0 + 4_000))
        XCTAssertEqual(try store.dueIncidents(now: t0 + 3_999, limit: 10).map(\.id), ["I-2"])
        XCTAssertEqual(try store.nextDueTime(), t0)
        var one = try XCTUnwrap(try store.outboxItem(id: "I-1"))
        XCTAssertEqual(one.attempts, 2)
        XCTAssertNil(one.lastStatus)
        XCTAssertEqual(one.lastError, "connection refused")
        XCTAssertEqual(one.nextAttemptAt, t0 + 4_000)

        XCTAssertTrue(try store.markRejected(id: "I-2", status: 422, error: "hotline answered 422", at: t0 + 100))
        XCTAssertFalse(try store.markRetry(id: "I-2", status: 503, error: nil, nextAttemptAt: t0))
        XCTAssertEqual(try store.dueIncidents(now: t0 + 10_000, limit: 10).map(\.id), ["I-1"])
        XCTAssertEqual(try store.alert(id: "A-2")?.incidentState, .rejected)
        XCTAssertEqual(try store.outboxItems(state: .rejected, limit: 10).map(\.rejectedAt), [t0 + 100])
        XCTAssertEqual(try store.outboxStats(now: t0 + 1_000).depth, 2)

        XCTAssertTrue(try store.requeue(id: "I-2", now: t0 + 5_000))
        let requeued = try XCTUnwrap(try store.outboxItem(id: "I-2"))
        XCTAssertEqual(requeued.state, .pending)
        XCTAssertEqual(requeued.attempts, 0)
        XCTAssertEqual(requeued.lastStatus, 422)
        XCTAssertEqual(try store.alert(id: "A-2")?.incidentState, .pending)
        XCTAssertEqual(try store.dueIncidents(now: t0 + 5_000, limit: 10).map(\.id), ["I-1", "I-2"])

        XCTAssertTrue(try store.markDelivered(id: "I-1", status: 201, ticket: "T-88", at: t0 + 6_000))
        XCTAssertFalse(try store.markDelivered(id: "I-1", status: 201, ticket: "T-99", at: t0 + 7_000))
        XCTAssertFalse(try store.requeue(id: "I-1", now: t0))
        XCTAssertFalse(try store.requeue(id: "nope", now: t0))
        one = try XCTUnwrap(try store.outboxItem(id: "I-1"))
        XCTAssertEqual(one.state, .delivered)
        XCTAssertEqual(one.attempts, 3)
        XCTAssertEqual(one.ticket, "T-88")
        XCTAssertEqual(one.deliveredAt, t0 + 6_000)
        XCTAssertNil(one.lastError)
        let a1 = try XCTUnwrap(try store.alert(id: "A-1"))
        XCTAssertEqual(a1.incidentState, .delivered)
        XCTAssertEqual(a1.ticket, "T-88")
        XCTAssertEqual(try store.outboxStats(now: t0 + 10_000).depth, 1)
    }

    func testNothingIsLostAcrossReopenAndBodyBytesAreExact() throws {
        let tmp = try TempFolder(self)
        let path = tmp.file("anxin.db")
        do {
            let store = try Store(path: path)
            try insertAlertAndIncident(store, 1, severity: .critical, at: t0)
            try insertAlertAndIncident(store, 2, severity: .warning, at: t0 + 1)
            try store.markRetry(id: "I-1", status: 500, error: "hotline answered 500", nextAttemptAt: t0 + 1_000)
            // The same incident enqueued again keeps the first body.
            XCTAssertFalse(
                try store.enqueueIncident(
                    OutboxItem(id: "I-1", alertID: "A-1", priority: 0, body: [1, 2, 3], createdAt: t0)))
            store.close()
        }
        let store = try Store(path: path)
        let due = try store.dueIncidents(now: t0 + 1_000, limit: 10)
        XCTAssertEqual(due.map(\.id), ["I-1", "I-2"])
        XCTAssertEqual(due.map(\.body), [body(1), body(2)])
        XCTAssertEqual(due.first?.attempts, 1)
        XCTAssertEqual(due.first?.lastStatus, 500)
        XCTAssertEqual(try store.nextDueTime(), t0 + 1)
    }

    func testIncidentsMustRideInADurableTransaction() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        XCTAssertEqual(try store.pragma("synchronous"), "1")
        XCTAssertThrowsError(
            try store.inTransaction {
                try store.insertAlert(
                    AlertRecord(
                        id: "A-1", rule: "sos", severity: .critical, residentID: nil, device: "D1", triggerJSON: "{}",
                        occurredAt: t0, openedAt: t0, updatedAt: t0))
                try store.enqueueIncident(OutboxItem(id: "I-1", alertID: "A-1", priority: 0, body: [], createdAt: t0))
            }
        ) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLiteError.misuse)
        }
        XCTAssertNil(try store.alert(id: "A-1"))

        // Durable transactions run at FULL and the connection returns to NORMAL afterwards.
        try store.inTransaction(durable: true) {
            XCTAssertEqual(try store.pragma("synchronous"), "2")
            try store.insertAlert(
                AlertRecord(
                    id: "A-1", rule: "sos", severity: .critical, residentID: nil, device: "D1", triggerJSON: "{}",
                    occurredAt: t0, openedAt: t0, updatedAt: t0))
            try store.enqueueIncident(OutboxItem(id: "I-1", alertID: "A-1", priority: 0, body: [], createdAt: t0))
        }
        XCTAssertEqual(try store.pragma("synchronous"), "1")
        XCTAssertEqual(try store.outboxItem(id: "I-1")?.body, [])

        // An incident whose alert never appears is refused at commit.
        XCTAssertThrowsError(
            try store.enqueueIncident(OutboxItem(id: "I-2", alertID: "ghost", priority: 0, body: [1], createdAt: t0)))
        XCTAssertNil(try store.outboxItem(id: "I-2"))
        XCTAssertEqual(try store.pragma("synchronous"), "1")
    }
}
