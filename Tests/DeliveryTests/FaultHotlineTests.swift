import AnxinCore
import AnxinTesting
import Foundation
import Store
import Synchronization
import XCTest

@testable import Delivery

/// The hotline fault suite (issue 4): the real ``OutboxDispatcher`` on a real SQLite outbox,
/// POSTing to a real ``HotlineReceiver`` on loopback, under an hour-long outage, a slow hotline
/// and a flapping one.
///
/// Time: the dispatcher stamps attempts and computes next-attempt times with the injected
/// ``ManualWallClock``; its sleeps between polls are real, but ``OutboxDispatcher/wake()`` cuts
/// them short. ``Timeline`` moves the clock from event to event (the next due row, the next
/// incident, the next change of the hotline), wakes the dispatcher and waits until every row due
/// by then was attempted and recorded, so an hour of outage runs in a few seconds. The HTTP
/// timeout is real time: only the slow-hotline test waits for it (about 20 s in all).
///
/// Each test prints one `FAULT-FIGURE <name> key=value …` line.
final class FaultHotlineTests: XCTestCase {
    private let t0 = Fixture.openedAt
    private let second: EpochMillis = 1000
    private let minute: EpochMillis = 60_000
    /// The SPEC's retry schedule: 1 s doubling to 5 min; `random` is pinned to 0.5 (no jitter).
    private let cap: EpochMillis = 300_000

    // MARK: - An hour down

    /// 503 for an hour (a hotline whose front end is up and its back end down; the closed port is
    /// the flapping test's, as each refused attempt costs the request timeout in real time), eight
    /// incidents queued meanwhile in pairs (urgent and critical created at the same instant, the
    /// urgent one with the lower id). Every attempt time follows the capped schedule exactly;
    /// nothing is lost; when the hotline is back each id is accepted once, with the bytes and
    /// signature of its first attempt, within one backoff cap, critical before urgent whenever
    /// both are due together. One hotline slot, so that arrival order is dispatch order.
    func testAnHourDownRetriesOnTheCappedScheduleAndDeliversEachIncidentOnceAfterwards() async throws {
        let t0 = self.t0
        let secret = Array("fault-secret".utf8)
        let clock = ManualWallClock(t0)
        let hotline = HotlineReceiver(secret: secret, dedupe: true, defaultReply: .status(503), clock: clock)
        _ = try await hotline.start()
        let store = try Fixture.store(self)
        let log = AttemptLog(clock: clock)
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: store),
            transports: [
                OutboxItem.hotline: HotlineTransport(
                    settings: HotlineSettings(url: hotline.url, secret: secret, maxConcurrent: 1), clock: clock)
            ],
            clock: clock, logger: Fixture.quiet, random: { 0.5 }, onOutcome: { o, item in log.record(o, item) })
        let queued: [(offset: EpochMillis, severity: Severity, id: String)] = [
            (0, .urgent, "INC-01"), (0, .critical, "INC-02"),
            (13 * minute, .urgent, "INC-03"), (13 * minute, .critical, "INC-04"),
            (31 * minute, .urgent, "INC-05"), (31 * minute, .critical, "INC-06"),
            (44 * minute, .urgent, "INC-07"), (44 * minute, .critical, "INC-08"),
        ]
        let back = t0 + 60 * minute
        var timeline = Timeline(clock: clock, store: store, dispatcher: dispatcher)
        for q in queued {
            timeline.at(t0 + q.offset) { try Self.enqueue(store, q.id, severity: q.severity, at: t0 + q.offset) }
        }
        timeline.at(back) { hotline.setDefaultReply(.accepted(ticket: "T-BACK")) }

        try await Fixture.running(dispatcher) {
            try await timeline.run(until: back + 2 * cap)
        }

        // Exactly the schedule, incident by incident: each retries on its own backoff while the hotline is
        // down; the first retry after it is back succeeds, and that brings every other waiting row forward.
        let recoveredAt = queued.map { q in
            let failures = Self.failingAttempts(from: t0 + q.offset, before: back)
            return failures.last! + Self.delay(after: failures.count)
        }.min()!
        var maxGap: EpochMillis = 0
        var maxWaitAfterBack: EpochMillis = 0
        var failed = 0
        for q in queued {
            let failures = Self.failingAttempts(from: t0 + q.offset, before: back)
            let deliveredAt = recoveredAt
            let attempts = log.attempts(of: q.id)
            XCTAssertEqual(attempts.map(\.at), failures + [deliveredAt], q.id)
            XCTAssertEqual(attempts.map(\.outcome), Array(repeating: .retry, count: failures.count) + [.accepted], q.id)
            let item = try XCTUnwrap(try store.outboxItem(id: q.id))
            XCTAssertEqual(item.state, .delivered, q.id)
            XCTAssertEqual(item.attempts, failures.count + 1, q.id)
            XCTAssertEqual(item.deliveredAt, deliveredAt, q.id)
            XCTAssertEqual(item.ticket, "T-BACK", q.id)
            XCTAssertEqual(try store.alert(id: "A-\(q.id)")?.incidentState, .delivered, q.id)
            XCTAssertLessThanOrEqual(deliveredAt - back, cap, "\(q.id) waits at most one cap once the hotline is back")
            // Bounded: at most 9 doubling attempts, then one per cap for the rest of its age.
            let age = back - (t0 + q.offset)
            XCTAssertLessThanOrEqual(failures.count, 10 + Int(max(0, age - 511 * second) / cap), q.id)
            maxGap = max(maxGap, zip(attempts.dropFirst(), attempts).map { $0.at - $1.at }.max() ?? 0)
            failed += failures.count
            maxWaitAfterBack = max(maxWaitAfterBack, deliveredAt - back)
        }
        XCTAssertEqual(maxGap, cap, "the longest wait between two attempts is the cap")
        XCTAssertLessThan(recoveredAt - back, cap, "the hotline's return is noticed within one cap")
        XCTAssertEqual(log.attempts(of: "INC-02").count, 21, "an hour down costs the oldest incident 20 attempts")

        // What the hotline saw: every 2xx once per id, retries byte-identical and signed alike.
        let requests = hotline.requests
        let accepted = requests.filter { (200..<300).contains($0.answeredStatus) }.compactMap {
            $0.header("Idempotency-Key")
        }
        XCTAssertEqual(accepted.count, queued.count)
        XCTAssertEqual(Set(accepted), Set(queued.map(\.id)))
        XCTAssertFalse(requests.contains { $0.answeredStatus == 409 }, "no attempt was sent twice")
        for q in queued {
            let mine = requests.filter { $0.header("Idempotency-Key") == q.id }
            XCTAssertEqual(Set(mine.map(\.body)).count, 1, "\(q.id): retries are byte-identical")
            XCTAssertEqual(mine.count, log.attempts(of: q.id).count, "\(q.id): every attempt reached the hotline")
            XCTAssertEqual(mine.first?.body, try store.outboxItem(id: q.id)?.body)
            XCTAssertEqual(Set(mine.compactMap { $0.header("X-Anxin-Signature") }).count, 1, q.id)
            XCTAssertTrue(mine.allSatisfy { $0.signatureValid == true }, q.id)
        }
        // Order: within each pair (due together at every step) the critical one arrives first,
        // although the urgent one has the lower id.
        var pairsInOrder = true
        for pair in stride(from: 0, to: queued.count, by: 2) {
            let urgent = try XCTUnwrap(accepted.firstIndex(of: queued[pair].id))
            let critical = try XCTUnwrap(accepted.firstIndex(of: queued[pair + 1].id))
            XCTAssertLessThan(critical, urgent, "\(queued[pair + 1].id) before \(queued[pair].id)")
            pairsInOrder = pairsInOrder && critical < urgent
        }
        // After the first success the rest go at once, most urgent first.
        let severities = accepted.dropFirst().map { id in queued.first { $0.id == id }!.severity }
        let criticalFirst = severities == severities.sorted()
        XCTAssertTrue(criticalFirst, "after the hotline is back, critical incidents go first: \(accepted)")
        print(
            "FAULT-FIGURE hour-outage incidents=\(queued.count) attempts=\(log.all.count) failed=\(failed)"
                + " max_attempts_per_incident=\(queued.map { log.attempts(of: $0.id).count }.max() ?? 0)"
                + " max_backoff_ms=\(maxGap) delivered=\(accepted.count)"
                + " duplicates=\(accepted.count - Set(accepted).count)"
                + " max_wait_after_back_ms=\(maxWaitAfterBack)"
                + " order_ok_when_due_together=\(pairsInOrder) order_all_critical_first=\(criticalFirst)"
                + " arrival=\(accepted.joined(separator: ","))")
        await hotline.stop()
    }

    // MARK: - Memory during the outage

    /// Forty incidents pile up over an hour of 503s with the default four hotline slots: the
    /// dispatcher never holds more than four rows (in flight, or read from the outbox in one
    /// go), holds none between attempts, tries each row on the schedule, and delivers all forty
    /// once when the hotline is back. What is observable: the dispatcher's in-flight set and
    /// per-channel counts (internal), and the size of every outbox read; the process's memory
    /// is not measured here.
    func testMemoryStaysFlatWhileFortyIncidentsWaitOutAnHour() async throws {
        let t0 = self.t0
        let clock = ManualWallClock(t0)
        // 503 after 20 ms, so that attempts overlap and the four slots fill.
        let hotline = HotlineReceiver(dedupe: true, defaultReply: .status(503, delay: .milliseconds(20)), clock: clock)
        _ = try await hotline.start()
        let store = try Fixture.store(self)
        let outbox = WatchedOutbox(store)
        let log = AttemptLog(clock: clock)
        let settings = HotlineSettings(url: hotline.url)
        XCTAssertEqual(settings.maxConcurrent, 4)
        let dispatcher = OutboxDispatcher(
            outbox: outbox, transports: [OutboxItem.hotline: HotlineTransport(settings: settings, clock: clock)],
            clock: clock, logger: Fixture.quiet, random: { 0.5 }, onOutcome: { o, item in log.record(o, item) })
        let ids = (1...40).map { String(format: "INC-M%02d", $0) }
        let back = t0 + 60 * minute
        var timeline = Timeline(clock: clock, store: store, dispatcher: dispatcher)
        for (n, id) in ids.enumerated() {
            let at = t0 + EpochMillis(n) * 90 * second
            timeline.at(at) { try Self.enqueue(store, id, severity: n % 3 == 0 ? .critical : .urgent, at: at) }
        }
        timeline.at(back) { hotline.setDefaultReply(.accepted()) }

        try await Fixture.running(dispatcher) {
            try await timeline.run(until: back + 2 * cap)
        }

        let reads = outbox.reads.withLock { $0 }
        XCTAssertLessThanOrEqual(timeline.mostInFlight, 4, "in flight at once")
        XCTAssertLessThanOrEqual(hotline.maxConcurrentRequests, 4, "requests open at the hotline at once")
        // The read asks for free slots plus those in flight (to skip them), each at most four;
        // the two counts are taken a moment apart, so together they may pass four.
        XCTAssertLessThanOrEqual(reads.largestLimit, 8, "rows asked of the outbox in one read")
        XCTAssertLessThanOrEqual(reads.largestBatch, 4, "rows read from the outbox in one go")
        XCTAssertEqual(timeline.heldWhenIdle, 0, "rows or channel counts left in the dispatcher between attempts")
        XCTAssertGreaterThan(hotline.maxConcurrentRequests, 1, "the four slots were used")
        let accepted = hotline.requests.filter { $0.answeredStatus == 200 }.compactMap { $0.header("Idempotency-Key") }
        XCTAssertEqual(accepted.sorted(), ids)
        XCTAssertEqual(try store.outboxItems(state: .delivered, limit: 100).count, 40)
        XCTAssertEqual(try store.outboxItems(state: .pending, limit: 100).count, 0)
        var worst = 0
        for (n, id) in ids.enumerated() {
            let failures = Self.failingAttempts(from: t0 + EpochMillis(n) * 90 * second, before: back)
            let delivery = failures.last! + Self.delay(after: failures.count)
            XCTAssertEqual(
                log.attempts(of: id).map { ($0.at - t0) / 1000 }, (failures + [delivery]).map { ($0 - t0) / 1000 },
                "\(id): attempt times follow the schedule (seconds from the start)")
            worst = max(worst, log.attempts(of: id).count)
        }
        print(
            "FAULT-FIGURE memory-flat incidents=40 attempts=\(log.all.count) max_attempts_per_incident=\(worst)"
                + " max_in_flight=\(timeline.mostInFlight) max_rows_per_read=\(reads.largestBatch)"
                + " max_read_limit=\(reads.largestLimit) outbox_reads=\(reads.calls)"
                + " held_when_idle=\(timeline.heldWhenIdle)"
                + " delivered=\(accepted.count) duplicates=\(accepted.count - Set(accepted).count)")
        await hotline.stop()
    }

    // MARK: - A row that finishes while the outbox is being read

    /// The dispatcher reads more rows than it has free slots ("over-fetch by the in-flight
    /// count so those can be skipped") and skips those still in flight when it claims. A row
    /// whose attempt ends between that read and the claim is no longer in flight and is claimed
    /// again from the stale read: sent a second time at once, with its old attempt count.
    /// Here the read reaches the dispatcher 300 ms late (a busy machine) while the hotline takes
    /// 100 ms to accept: the incident must be POSTed once.
    func testARowDeliveredWhileTheOutboxIsReadIsNotSentAgain() async throws {
        let clock = ManualWallClock(t0)
        let hotline = HotlineReceiver(dedupe: true, defaultReply: .accepted(ticket: "T-1", delay: .milliseconds(100)))
        _ = try await hotline.start()
        let store = try Fixture.store(self)
        let log = AttemptLog(clock: clock)
        let dispatcher = OutboxDispatcher(
            outbox: WatchedOutbox(store, lag: .milliseconds(300)),
            transports: [
                OutboxItem.hotline: HotlineTransport(settings: HotlineSettings(url: hotline.url), clock: clock)
            ],
            clock: clock, logger: Fixture.quiet, random: { 0.5 }, onOutcome: { o, item in log.record(o, item) })
        try Self.enqueue(store, "INC-R1", severity: .critical, at: t0)

        try await Fixture.running(dispatcher) {
            try await Fixture.eventually { try store.outboxItem(id: "INC-R1")?.state == .delivered }
            try await Task.sleep(for: .milliseconds(800))
        }

        let answered = hotline.requests.map(\.answeredStatus)
        print(
            "FAULT-FIGURE stale-read incidents=1 attempts=\(log.all.count) answered=\(answered)"
                + " duplicates=\(answered.filter { $0 == 409 }.count)")
        XCTAssertEqual(answered, [200], "POSTed once")
        XCTAssertEqual(log.all.map(\.outcome), [.accepted])
        XCTAssertEqual(try store.outboxItem(id: "INC-R1")?.attempts, 1)
        await hotline.stop()
    }

    // MARK: - Slow hotline (real time)

    /// The hotline takes every incident at once but answers four of them only after 20 s. The
    /// default 10 s timeout ends those attempts (retried later with the same id; the hotline's
    /// dedupe answers 409, so each is one incident); a webhook notice is not held up at all; an
    /// incident queued while two slots hang goes at once, one queued while all four hang goes
    /// when the first slot times out — never later than the timeout.
    func testASlowHotlineCostsATimeoutNotAnIncidentAndHoldsUpNothingBeyondIt() async throws {
        let clock = ManualWallClock(t0)
        let receiver = HotlineReceiver(dedupe: true)
        receiver.setDefaultReply(.accepted(ticket: "T-FAST"))
        receiver.script([
            .accepted(ticket: "T-SLOW", delay: .seconds(20)), .accepted(ticket: "T-SLOW", delay: .seconds(20)),
        ])
        _ = try await receiver.start()
        let store = try Fixture.store(self)
        let log = AttemptLog(clock: clock)
        let settings = HotlineSettings(url: receiver.url)
        XCTAssertEqual(settings.timeout, .seconds(10))
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: store),
            transports: [
                OutboxItem.hotline: HotlineTransport(settings: settings, clock: clock),
                "ops-hook": WebhookTransport(url: receiver.url(path: "/hook"), secret: nil),
            ],
            clock: clock, logger: Fixture.quiet, random: { 0.5 }, onOutcome: { o, item in log.record(o, item) })
        let incidents = "/api/incidents"

        try await Fixture.running(dispatcher) {
            try Self.enqueue(store, "INC-S1", severity: .critical, at: t0)
            try Self.enqueue(store, "INC-S2", severity: .critical, at: t0)
            dispatcher.wake()
            try await receiver.waitFor(count: 2, path: incidents)
            let firstSlow = ContinuousClock.now

            // Two slots hang: a new incident goes at once.
            try Self.enqueue(store, "INC-E1", severity: .urgent, at: t0)
            dispatcher.wake()
            try await Fixture.eventually(timeout: .seconds(2)) {
                try store.outboxItem(id: "INC-E1")?.state == .delivered
            }
            let e1Wait = ContinuousClock.now - firstSlow

            // All four hang: a notice on another channel goes at once, a new incident waits for a slot.
            receiver.script([
                .accepted(ticket: "T-SLOW", delay: .seconds(20)), .accepted(ticket: "T-SLOW", delay: .seconds(20)),
            ])
            try Self.enqueue(store, "INC-S3", severity: .critical, at: t0)
            try Self.enqueue(store, "INC-S4", severity: .critical, at: t0)
            dispatcher.wake()
            try await receiver.waitFor(count: 5, path: incidents)
            try Fixture.insertAlert(store, "A-N", at: t0)
            try store.enqueue(Fixture.notice("A-N").outboxItem(channel: "ops-hook", format: .webhook, createdAt: t0))
            let queuedAt = ContinuousClock.now
            try Self.enqueue(store, "INC-E2", severity: .critical, at: t0)
            dispatcher.wake()
            try await receiver.waitFor(count: 1, path: "/hook", timeout: .seconds(2))
            let noticeWait = ContinuousClock.now - queuedAt
            // The outcome is reported just after the row is marked: wait for the report.
            try await Fixture.eventually(timeout: .seconds(15)) { !log.attempts(of: "INC-E2").isEmpty }
            let e2Done = try XCTUnwrap(log.attempts(of: "INC-E2").first?.real)
            let e2Wait = e2Done - queuedAt
            let sinceFirstSlow = e2Done - firstSlow

            // The four timed-out attempts are due one backoff later (the clock has not moved).
            try await Fixture.eventually(timeout: .seconds(15)) { log.all.filter { $0.outcome == .retry }.count == 4 }
            let timeouts = log.all.filter { $0.outcome == .retry }
            for t in timeouts {
                let item = try XCTUnwrap(try store.outboxItem(id: t.id))
                XCTAssertEqual(item.state, .pending, t.id)
                XCTAssertNil(item.lastStatus, "\(t.id): no answer came")
                XCTAssertEqual(item.nextAttemptAt, t0 + second, t.id)
                XCTAssertFalse(item.lastError?.isEmpty ?? true, t.id)
            }
            let s1Timeout = try XCTUnwrap(log.attempts(of: "INC-S1").first?.real) - firstSlow
            clock.set(t0 + second)
            dispatcher.wake()
            try await Fixture.eventually(timeout: .seconds(5)) {
                try ["INC-S1", "INC-S2", "INC-S3", "INC-S4"].allSatisfy {
                    try store.outboxItem(id: $0)?.state == .delivered
                }
            }

            XCTAssertLessThan(e1Wait, .seconds(2), "an incident queued beside two hanging ones is not held up")
            XCTAssertLessThan(noticeWait, .seconds(1), "a webhook is not held up by a hanging hotline")
            XCTAssertGreaterThanOrEqual(s1Timeout, .milliseconds(9_500), "the attempt lasted the 10 s timeout")
            XCTAssertLessThan(s1Timeout, .milliseconds(12_000))
            XCTAssertGreaterThanOrEqual(sinceFirstSlow, .milliseconds(9_500), "INC-E2 waited for a slot to time out")
            XCTAssertLessThan(e2Wait, .milliseconds(11_000), "INC-E2 waited no longer than one timeout")
            print(
                "FAULT-FIGURE slow-hotline reply_delay_s=20 timeout_s=10 s1_attempt_s=\(Self.seconds(s1Timeout))"
                    + " e1_wait_s=\(Self.seconds(e1Wait)) notice_wait_s=\(Self.seconds(noticeWait))"
                    + " e2_wait_s=\(Self.seconds(e2Wait)) attempts=\(log.all.count)"
                    + " delivered=\(try store.outboxItems(state: .delivered, limit: 20).count)"
                    + " answered=\(receiver.requests(path: incidents).map(\.answeredStatus))")
        }

        for id in ["INC-S1", "INC-S2", "INC-S3", "INC-S4"] {
            let mine = receiver.requests(path: incidents).filter { $0.header("Idempotency-Key") == id }
            XCTAssertEqual(mine.map(\.answeredStatus), [200, 409], "\(id): one incident at the hotline")
            XCTAssertEqual(Set(mine.map(\.body)).count, 1, id)
            let item = try XCTUnwrap(try store.outboxItem(id: id))
            XCTAssertEqual(item.state, .delivered, id)
            XCTAssertEqual(item.attempts, 2, id)
            XCTAssertEqual(item.lastStatus, 409, id)
            XCTAssertEqual(item.ticket, "T-SLOW", "\(id): the ticket of the answer that never arrived, from the 409")
            XCTAssertEqual(log.attempts(of: id).map(\.outcome), [.retry, .duplicate], id)
        }
        for id in ["INC-E1", "INC-E2"] {
            XCTAssertEqual(log.attempts(of: id).map(\.outcome), [.accepted], id)
            XCTAssertEqual(try store.outboxItem(id: id)?.ticket, "T-FAST", id)
        }
        XCTAssertEqual(try store.outboxItem(id: "A-N/0/2/ops-hook")?.state, .delivered)
        XCTAssertEqual(Set(receiver.requests(path: incidents).compactMap { $0.header("Idempotency-Key") }).count, 6)
        await receiver.stop()
    }

    // MARK: - Flapping

    /// The hotline flaps step by step: up and taking one request (then 503), up and answering
    /// 503, down (connection refused), and again. Nine incidents queued over the first minutes:
    /// each accepted exactly once, none lost, every attempt recorded, retries byte-identical.
    /// A refused attempt lasts the request timeout in real time (AsyncHTTPClient keeps trying to
    /// connect until the deadline), so the timeout is 1 s here; an attempt that times out after
    /// the hotline took it comes back as 409, which is allowed and counted.
    func testAFlappingHotlineGetsEveryIncidentOnceAndLosesNone() async throws {
        let t0 = self.t0
        let clock = ManualWallClock(t0)
        let hotline = HotlineReceiver(dedupe: true, defaultReply: .status(503), clock: clock)
        let port = try await hotline.start()
        let store = try Fixture.store(self)
        let log = AttemptLog(clock: clock)
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: store),
            transports: [
                OutboxItem.hotline: HotlineTransport(
                    settings: HotlineSettings(url: hotline.url, timeout: .seconds(1)), clock: clock)
            ],
            clock: clock, logger: Fixture.quiet, random: { 0.5 }, onOutcome: { o, item in log.record(o, item) })
        let ids = (1...9).map { "INC-F\($0)" }
        var timeline = Timeline(clock: clock, store: store, dispatcher: dispatcher)
        for (n, id) in ids.enumerated() {
            let at = t0 + EpochMillis(n) * 20 * second
            timeline.at(at) { try Self.enqueue(store, id, severity: n % 2 == 0 ? .critical : .urgent, at: at) }
        }
        var steps = 0
        var up = true
        timeline.everyStep {
            steps += 1
            if steps % 3 == 0 {
                await hotline.stop()
                up = false
                return
            }
            if !up {
                let again = try await hotline.start(port: port)
                XCTAssertEqual(again, port)
                up = true
            }
            // Up: take the first request of this step, then 503; or 503 throughout.
            if steps % 3 == 1 { hotline.script([.accepted(ticket: "T-F")]) }
        }

        try await Fixture.running(dispatcher) {
            try await timeline.run(until: t0 + 120 * minute, stopWhenAllDelivered: true)
        }

        let requests = hotline.requests
        let accepted = requests.filter { $0.answeredStatus == 200 }.compactMap { $0.header("Idempotency-Key") }
        XCTAssertEqual(accepted.sorted(), ids.sorted(), "each incident accepted exactly once")
        let dedupedByHotline = requests.filter { $0.answeredStatus == 409 }.count
        var refused = 0
        for id in ids {
            let item = try XCTUnwrap(try store.outboxItem(id: id))
            XCTAssertEqual(item.state, .delivered, id)
            let attempts = log.attempts(of: id)
            XCTAssertEqual(item.attempts, attempts.count, "\(id): every attempt recorded")
            XCTAssertTrue([.accepted, .duplicate].contains(attempts.last?.outcome), id)
            XCTAssertEqual(attempts.filter { $0.outcome != .retry }.count, 1, "\(id): recorded delivered once")
            let mine = requests.filter { $0.header("Idempotency-Key") == id }
            XCTAssertEqual(Set(mine.map(\.body)), [item.body], "\(id): retries are byte-identical")
            refused += attempts.count - mine.count
        }
        XCTAssertGreaterThan(refused, 0, "some attempts met a closed port")
        XCTAssertGreaterThan(requests.filter { $0.answeredStatus == 503 }.count, 0)
        print(
            "FAULT-FIGURE flapping incidents=\(ids.count) steps=\(steps) attempts=\(log.all.count)"
                + " answered_503=\(requests.filter { $0.answeredStatus == 503 }.count) refused=\(refused)"
                + " max_attempts_per_incident=\(ids.map { log.attempts(of: $0).count }.max() ?? 0)"
                + " delivered=\(accepted.count) duplicates=\(accepted.count - Set(accepted).count)"
                + " answered_409=\(dedupedByHotline) lost=\(ids.count - Set(accepted).count)")
        await hotline.stop()
    }

    // MARK: - Helpers

    /// An alert and its incident in one durable commit, as the Gateway queues them. The body is
    /// a full SPEC incident (resident, contacts, notes) so that byte-identity means something.
    static func enqueue(_ store: Store, _ id: String, severity: Severity, at: EpochMillis) throws {
        let resident = Resident(
            id: "R-0001", name: "张桂兰", bed: "JN-KY-03-0302-1", room: "3号楼302室",
            address: "昆明市晋宁区昆阳街道月山社区3号楼302室", phone: "13800000000",
            contacts: [Contact(name: "李明", relation: "儿子", phone: "13900000000")], careLevel: 2,
            flags: ["lives_alone"], devices: ["865067021234567"], medicalNotes: "高血压, 青霉素过敏")
        let draft = IncidentDraft(
            id: id, gatewayID: "jn-01", rule: "sos", severity: severity, occurredAt: at, utcOffsetSeconds: 8 * 3600,
            trigger: .event(.sos), summary: "张桂兰 3号楼302室 SOS 呼叫", resident: resident,
            device: .init(id: "865067021234567", profile: "imede-watch", registered: true))
        try store.inTransaction(durable: true) {
            try Fixture.insertAlert(store, "A-\(id)", severity: severity, at: at)
            try store.enqueueIncident(
                OutboxItem(
                    id: id, alertID: "A-\(id)", priority: Int(severity.rawValue), body: IncidentBody.render(draft),
                    createdAt: at))
        }
    }

    /// The SPEC schedule without jitter, written out independently of ``RetrySchedule``:
    /// 1 s after the first failure, doubling, never more than 5 min.
    static func delay(after failures: Int) -> EpochMillis {
        min(1000 << EpochMillis(min(failures - 1, 20)), 300_000)
    }

    /// Attempt times of a row first tried at `first` that fails every attempt before `end`.
    static func failingAttempts(from first: EpochMillis, before end: EpochMillis) -> [EpochMillis] {
        var times = [first]
        while times.last! + delay(after: times.count) < end { times.append(times.last! + delay(after: times.count)) }
        return times
    }

    static func seconds(_ d: Duration) -> String {
        String(format: "%.2f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
}

/// Every recorded attempt, with the simulated time it was recorded at and the real time.
private final class AttemptLog: Sendable {
    struct Attempt: Sendable {
        var id: String
        var outcome: DeliveryOutcome
        /// The injected clock when the outcome was recorded (the attempt's own time).
        var at: EpochMillis
        var real: ContinuousClock.Instant
    }

    private let clock: ManualWallClock
    private let list = Mutex<[Attempt]>([])

    init(clock: ManualWallClock) { self.clock = clock }

    func record(_ outcome: DeliveryOutcome, _ item: PendingDelivery) {
        let entry = Attempt(id: item.id, outcome: outcome, at: clock.now(), real: .now)
        list.withLock { $0.append(entry) }
    }

    var all: [Attempt] { list.withLock { $0 } }
    func attempts(of id: String) -> [Attempt] { all.filter { $0.id == id } }
}

/// The real SQLite outbox, with the size of every read the dispatcher makes counted.
private final class WatchedOutbox: DeliveryOutbox {
    struct Reads {
        var calls = 0
        var largestLimit = 0
        var largestBatch = 0
    }

    let inner: StoreDeliveryOutbox
    let reads = Mutex(Reads())
    /// How long a read that found rows takes to reach the dispatcher (a busy machine).
    let lag: Duration

    init(_ store: Store, lag: Duration = .zero) {
        inner = StoreDeliveryOutbox(store: store)
        self.lag = lag
    }

    func due(now: EpochMillis, limit: Int, excludingChannels: Set<String>) async throws -> [PendingDelivery] {
        let rows = try await inner.due(now: now, limit: limit, excludingChannels: excludingChannels)
        reads.withLock { r in
            r.calls += 1
            r.largestLimit = max(r.largestLimit, limit)
            r.largestBatch = max(r.largestBatch, rows.count)
        }
        if lag > .zero, !rows.isEmpty { try await Task.sleep(for: lag) }
        return rows
    }

    func nextDueTime(excludingChannels: Set<String>) async throws -> EpochMillis? {
        try await inner.nextDueTime(excludingChannels: excludingChannels)
    }

    func markDelivered(_ item: PendingDelivery, result: DeliveryResult, at: EpochMillis) async throws {
        try await inner.markDelivered(item, result: result, at: at)
    }

    func markRetry(_ item: PendingDelivery, result: DeliveryResult, nextAttemptAt: EpochMillis) async throws {
        try await inner.markRetry(item, result: result, nextAttemptAt: nextAttemptAt)
    }

    func markRejected(_ item: PendingDelivery, result: DeliveryResult, at: EpochMillis) async throws {
        try await inner.markRejected(item, result: result, at: at)
    }
}

/// The dispatcher did not finish what was due within 20 s of real time.
private struct Stuck: Error, CustomStringConvertible {
    var description: String
}

/// Simulated time for one dispatcher: jumps the injected clock from event to event, wakes the
/// dispatcher, and waits until everything due by then has been attempted and recorded.
private struct Timeline {
    let clock: ManualWallClock
    let store: Store
    let dispatcher: OutboxDispatcher
    private var scheduled: [(at: EpochMillis, action: () async throws -> Void)] = []
    private var stepHook: (() async throws -> Void)?
    /// The most rows in flight seen at any point while waiting.
    private(set) var mostInFlight = 0
    /// Rows or per-channel counts the dispatcher still held when the outbox was idle (summed).
    private(set) var heldWhenIdle = 0

    init(clock: ManualWallClock, store: Store, dispatcher: OutboxDispatcher) {
        self.clock = clock
        self.store = store
        self.dispatcher = dispatcher
    }

    /// Runs `action` when simulated time reaches `at` (before the dispatcher is woken).
    mutating func at(_ at: EpochMillis, _ action: @escaping () async throws -> Void) {
        scheduled.append((at, action))
        scheduled.sort { $0.at < $1.at }
    }

    /// Runs `hook` at every step, before the dispatcher is woken.
    mutating func everyStep(_ hook: @escaping () async throws -> Void) {
        stepHook = hook
    }

    /// Steps until `end`, or until nothing is pending any more when `stopWhenAllDelivered`.
    mutating func run(until end: EpochMillis, stopWhenAllDelivered: Bool = false) async throws {
        var steps = 0
        while true {
            let nextDue = try store.nextDueTime(excludingChannels: [])
            if stopWhenAllDelivered, nextDue == nil, scheduled.isEmpty { return }
            guard let t = [nextDue, scheduled.first?.at].compactMap({ $0 }).min(), t <= end else { return }
            steps += 1
            guard steps < 5000 else { throw Stuck(description: "more than 5000 steps") }
            clock.set(max(t, clock.now()))
            if ProcessInfo.processInfo.environment["FAULT_TRACE"] != nil {
                print("step +\(clock.now() - Fixture.openedAt)")
            }
            while let first = scheduled.first, first.at <= clock.now() {
                scheduled.removeFirst()
                try await first.action()
            }
            try await stepHook?()
            dispatcher.wake()
            try await settle()
        }
    }

    /// Waits until nothing is due at the clock's time and nothing is in flight.
    private mutating func settle() async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let next = try store.nextDueTime(excludingChannels: [])
            let held = dispatcher.inFlight.withLock { ($0.ids.count, $0.perChannel.count) }
            mostInFlight = max(mostInFlight, held.0)
            if held.0 == 0, next.map({ $0 > clock.now() }) ?? true {
                heldWhenIdle += held.1
                return
            }
            if ContinuousClock.now >= deadline {
                throw Stuck(
                    description: "dispatcher not idle at +\(clock.now() - Fixture.openedAt) ms: in flight \(held.0),"
                        + " next due +\(next.map { $0 - Fixture.openedAt }.map(String.init) ?? "none") ms")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
