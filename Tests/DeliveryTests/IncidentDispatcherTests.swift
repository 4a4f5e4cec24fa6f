import AnxinCore
import AnxinTesting
import Logging
import ServiceLifecycle
import Synchronization
import XCTest

@testable import Delivery

final class IncidentDispatcherTests: XCTestCase {
    let t0: EpochMillis = 1_795_000_000_000
    let quiet = Logger(label: "test.delivery", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Collects outcomes reported through `onOutcome`.
    final class Outcomes: Sendable {
        private let list = Mutex<[DeliveryOutcome]>([])
        func record(_ o: DeliveryOutcome) { list.withLock { $0.append(o) } }
        var all: [DeliveryOutcome] { list.withLock { $0 } }
    }

    func incident(_ id: String, priority: Int = 0, createdAt: EpochMillis? = nil) -> PendingIncident {
        PendingIncident(
            id: id, alertID: "A-\(id)", priority: priority, body: Array(#"{"id":"\#(id)","rule":"sos"}"#.utf8),
            createdAt: createdAt ?? t0)
    }

    func settings(_ url: String, secret: [UInt8]? = nil, timeout: Duration = .seconds(5), maxConcurrent: Int = 4)
        -> HotlineSettings
    {
        HotlineSettings(url: url, secret: secret, timeout: timeout, maxConcurrent: maxConcurrent)
    }

    /// Runs the dispatcher in a ServiceGroup for the duration of `body`, then shuts it down gracefully.
    func running(
        _ dispatcher: IncidentDispatcher, _ body: () async throws -> Void
    ) async throws {
        let group = ServiceGroup(configuration: .init(services: [dispatcher], logger: quiet))
        let task = Task { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await task.value
    }

    func testRetriesThroughTwo503sAndDeliversOnceWithGrowingBackoff() async throws {
        let secret = Array("hotline-secret".utf8)
        let hotline = HotlineReceiver(secret: secret, dedupe: true)
        hotline.script([.status(503), .status(503), .accepted(ticket: "T-1")])
        _ = try await hotline.start()
        let clock = ManualWallClock(t0)
        let outbox = MemoryOutbox()
        let sos = incident("INC-1")
        await outbox.add(sos)
        let outcomes = Outcomes()
        let dispatcher = IncidentDispatcher(
            outbox: outbox, settings: settings(hotline.url, secret: secret), clock: clock, logger: quiet,
            onOutcome: { o, _ in outcomes.record(o) })

        try await running(dispatcher) {
            let first = try await outbox.waitForMarks(1)
            guard case .retry("INC-1", 503, let next1) = first[0] else { return XCTFail("\(first)") }
            XCTAssert((t0 + 800...t0 + 1200).contains(next1), "first retry after 1 s ± 20 %: \(next1 - t0)")

            clock.set(next1)
            dispatcher.wake()
            let second = try await outbox.waitForMarks(2)
            guard case .retry("INC-1", 503, let next2) = second[1] else { return XCTFail("\(second)") }
            XCTAssert((next1 + 1600...next1 + 2400).contains(next2), "second retry after 2 s ± 20 %: \(next2 - next1)")

            clock.set(next2)
            dispatcher.wake()
            let third = try await outbox.waitForMarks(3)
            XCTAssertEqual(third[2], .delivered(id: "INC-1", status: 200, ticket: "T-1", at: next2))
        }

        let entry = await outbox.entry("INC-1")
        XCTAssertEqual(entry?.state, .delivered)
        XCTAssertEqual(entry?.incident.attempts, 3)
        XCTAssertEqual(entry?.ticket, "T-1")
        XCTAssertEqual(outcomes.all, [.retry, .retry, .accepted])
        let requests = hotline.requests
        XCTAssertEqual(requests.map(\.answeredStatus), [503, 503, 200])
        for r in requests {
            XCTAssertEqual(r.method, "POST")
            XCTAssertEqual(r.path, "/api/incidents")
            XCTAssertEqual(r.body, sos.body)
            XCTAssertEqual(r.header("content-type"), "application/json; charset=utf-8")
            XCTAssertEqual(r.header("Idempotency-Key"), "INC-1")
            XCTAssertEqual(r.header("X-Anxin-Signature"), HotlineSignature.sign(body: sos.body, secret: secret))
            XCTAssertEqual(r.signatureValid, true)
        }
        await hotline.stop()
    }

    func testReceiverFlagsAWrongSignature() async throws {
        let hotline = HotlineReceiver(secret: Array("right".utf8), rejectInvalidSignatures: true)
        _ = try await hotline.start()
        let outbox = MemoryOutbox()
        await outbox.add(incident("INC-S"))
        let dispatcher = IncidentDispatcher(
            outbox: outbox, settings: settings(hotline.url, secret: Array("wrong".utf8)), clock: ManualWallClock(t0),
            logger: quiet)

        try await running(dispatcher) { try await outbox.waitForMarks(1) }

        XCTAssertEqual(hotline.requests.map(\.signatureValid), [false])
        let marks = await outbox.marks
        XCTAssertEqual(marks, [.rejected(id: "INC-S", status: 401, at: t0)])
        await hotline.stop()
    }

    func test429HonoursRetryAfter() async throws {
        let hotline = HotlineReceiver()
        hotline.script([.tooManyRequests(retryAfterSeconds: 7)])
        _ = try await hotline.start()
        let outbox = MemoryOutbox()
        await outbox.add(incident("INC-429"))
        let dispatcher = IncidentDispatcher(
            outbox: outbox, settings: settings(hotline.url), clock: ManualWallClock(t0), logger: quiet)

        try await running(dispatcher) { try await outbox.waitForMarks(1) }

        let marks = await outbox.marks
        XCTAssertEqual(marks, [.retry(id: "INC-429", status: 429, nextAttemptAt: t0 + 7000)])
        let entry = await outbox.entry("INC-429")
        XCTAssertEqual(entry?.state, .pending)
        await hotline.stop()
    }

    func test400IsRejectedAndNotRetried() async throws {
        let hotline = HotlineReceiver()
        hotline.script([.status(400)])
        _ = try await hotline.start()
        let clock = ManualWallClock(t0)
        let outbox = MemoryOutbox()
        await outbox.add(incident("INC-BAD"))
        let outcomes = Outcomes()
        let dispatcher = IncidentDispatcher(
            outbox: outbox, settings: settings(hotline.url), clock: clock, logger: quiet,
            onOutcome: { o, _ in outcomes.record(o) })

        try await running(dispatcher) {
            try await outbox.waitForMarks(1)
            // An hour later a new incident arrives; only it is sent.
            clock.advance(ms: 3_600_000)
            await outbox.add(incident("INC-NEXT", createdAt: t0 + 3_600_000))
            dispatcher.wake()
            try await outbox.waitForMarks(2)
        }

        let marks = await outbox.marks
        XCTAssertEqual(
            marks,
            [
                .rejected(id: "INC-BAD", status: 400, at: t0),
                .delivered(id: "INC-NEXT", status: 200, ticket: nil, at: t0 + 3_600_000),
            ])
        let entry = await outbox.entry("INC-BAD")
        XCTAssertEqual(entry?.state, .rejected)
        XCTAssertEqual(hotline.requests.compactMap { $0.header("Idempotency-Key") }, ["INC-BAD", "INC-NEXT"])
        XCTAssertEqual(outcomes.all, [.rejected, .accepted])
        await hotline.stop()
    }

    func testAnswerLostToTimeoutThen409CountsAsDuplicate() async throws {
        // The hotline takes the first attempt but answers too late; the retry gets 409.
        let hotline = HotlineReceiver(dedupe: true)
        hotline.script([.accepted(ticket: "T-7", delay: .milliseconds(800))])
        _ = try await hotline.start()
        let clock = ManualWallClock(t0)
        let outbox = MemoryOutbox()
        await outbox.add(incident("INC-DUP"))
        let outcomes = Outcomes()
        let dispatcher = IncidentDispatcher(
            outbox: outbox, settings: settings(hotline.url, timeout: .milliseconds(150)), clock: clock,
            logger: quiet, random: { 0.5 }, onOutcome: { o, _ in outcomes.record(o) })

        try await running(dispatcher) {
            let first = try await outbox.waitForMarks(1)
            XCTAssertEqual(first, [.retry(id: "INC-DUP", status: nil, nextAttemptAt: t0 + 1000)])
            clock.advance(ms: 1000)
            dispatcher.wake()
            try await outbox.waitForMarks(2)
        }

        let marks = await outbox.marks
        XCTAssertEqual(marks.last, .delivered(id: "INC-DUP", status: 409, ticket: "T-7", at: t0 + 1000))
        let entry = await outbox.entry("INC-DUP")
        XCTAssertNotNil(entry?.lastError)
        XCTAssertEqual(outcomes.all, [.retry, .duplicate])
        XCTAssertEqual(hotline.requests.map(\.answeredStatus), [200, 409])
        await hotline.stop()
    }

    func testCriticalGoesBeforeAnEarlierWarning() async throws {
        let hotline = HotlineReceiver()
        _ = try await hotline.start()
        let outbox = MemoryOutbox()
        await outbox.add(incident("INC-WARN", priority: Int(Severity.warning.rawValue), createdAt: t0 - 60_000))
        await outbox.add(incident("INC-URGENT", priority: Int(Severity.urgent.rawValue), createdAt: t0 - 30_000))
        await outbox.add(incident("INC-CRIT", priority: Int(Severity.critical.rawValue), createdAt: t0))
        let dispatcher = IncidentDispatcher(
            outbox: outbox, settings: settings(hotline.url, maxConcurrent: 1), clock: ManualWallClock(t0),
            logger: quiet)

        try await running(dispatcher) { try await outbox.waitForMarks(3) }

        XCTAssertEqual(
            hotline.requests.compactMap { $0.header("Idempotency-Key") }, ["INC-CRIT", "INC-URGENT", "INC-WARN"])
        await hotline.stop()
    }

    func testDeliversConcurrentlyUpToTheLimit() async throws {
        let hotline = HotlineReceiver(defaultReply: .accepted(delay: .milliseconds(300)))
        _ = try await hotline.start()
        let outbox = MemoryOutbox()
        for i in 0..<5 { await outbox.add(incident("INC-\(i)", createdAt: t0 - 5 + EpochMillis(i))) }
        let dispatcher = IncidentDispatcher(
            outbox: outbox, settings: settings(hotline.url, maxConcurrent: 2), clock: ManualWallClock(t0),
            logger: quiet)

        try await running(dispatcher) { try await outbox.waitForMarks(5) }

        XCTAssertEqual(hotline.maxConcurrentRequests, 2)
        XCTAssertEqual(
            Set(hotline.requests.prefix(2).compactMap { $0.header("Idempotency-Key") }), ["INC-0", "INC-1"])
        XCTAssertEqual(hotline.requests.count, 5)
        XCTAssertEqual(Set(hotline.requests.compactMap { $0.header("Idempotency-Key") }).count, 5)
        await hotline.stop()
    }

    func testGracefulShutdownFinishesTheDeliveryInHand() async throws {
        let hotline = HotlineReceiver(defaultReply: .accepted(ticket: "T-9", delay: .milliseconds(300)))
        _ = try await hotline.start()
        let outbox = MemoryOutbox()
        await outbox.add(incident("INC-LAST"))
        let dispatcher = IncidentDispatcher(
            outbox: outbox, settings: settings(hotline.url), clock: ManualWallClock(t0), logger: quiet)

        // Shutdown is triggered while the hotline is still answering.
        try await running(dispatcher) { try await hotline.waitFor(count: 1) }

        let marks = await outbox.marks
        XCTAssertEqual(marks, [.delivered(id: "INC-LAST", status: 200, ticket: "T-9", at: t0)])
        await hotline.stop()
    }

    func testWithoutHotlineSettingsNothingIsSentAndIncidentsStayQueued() async throws {
        let outbox = MemoryOutbox()
        await outbox.add(incident("INC-Q"))
        let dispatcher = IncidentDispatcher(outbox: outbox, settings: nil, clock: ManualWallClock(t0), logger: quiet)

        try await running(dispatcher) { dispatcher.wake() }

        let dueCalls = await outbox.dueCalls
        XCTAssertEqual(dueCalls, 0)
        let marks = await outbox.marks
        XCTAssertEqual(marks, [])
        let entry = await outbox.entry("INC-Q")
        XCTAssertEqual(entry?.state, .pending)
        XCTAssertEqual(entry?.incident.attempts, 0)
    }

    func testConnectionRefusedIsRetried() async throws {
        let closed = HotlineReceiver()
        let port = try await closed.start()
        await closed.stop()
        let outbox = MemoryOutbox()
        await outbox.add(incident("INC-DOWN"))
        let outcomes = Outcomes()
        let dispatcher = IncidentDispatcher(
            outbox: outbox, settings: settings("http://127.0.0.1:\(port)/api/incidents", timeout: .milliseconds(300)),
            clock: ManualWallClock(t0),
            logger: quiet, random: { 0 }, onOutcome: { o, _ in outcomes.record(o) })

        try await running(dispatcher) { try await outbox.waitForMarks(1) }

        let marks = await outbox.marks
        XCTAssertEqual(marks, [.retry(id: "INC-DOWN", status: nil, nextAttemptAt: t0 + 800)])
        let entry = await outbox.entry("INC-DOWN")
        XCTAssertEqual(entry?.state, .pending)
        XCTAssertEqual(entry?.incident.attempts, 1)
        XCTAssertFalse(entry?.lastError?.isEmpty ?? true)
        XCTAssertEqual(outcomes.all, [.retry])
    }
}
