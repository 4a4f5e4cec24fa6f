import AnxinCore
import AnxinTesting
import Foundation
import Store
import Synchronization
import XCTest

@testable import Delivery

/// The system's time plus an offset a test steps, as `date -s` would.
final class SteppedWallClock: WallClock, Sendable {
    private struct State {
        var offset: EpochMillis = 0
        /// Reads still to come before the armed step; nil when none is armed.
        var readsBeforeStep: Int?
        var armedStep: EpochMillis = 0
    }
    private let state = Mutex(State())
    func now() -> EpochMillis {
        let offset = state.withLock { s -> EpochMillis in
            if let n = s.readsBeforeStep {
                if n <= 1 {
                    s.offset += s.armedStep
                    s.readsBeforeStep = nil
                } else {
                    s.readsBeforeStep = n - 1
                }
            }
            return s.offset
        }
        return SystemWallClock().now() + offset
    }
    func step(by ms: EpochMillis) { state.withLock { $0.offset += ms } }
    /// The clock steps by `ms` as the `read`-th read from now is made (1: the next read sees it).
    func step(by ms: EpochMillis, atRead read: Int) {
        state.withLock {
            $0.readsBeforeStep = read
            $0.armedStep = ms
        }
    }
    var stepPending: Bool { state.withLock { $0.readsBeforeStep != nil } }
}

/// A retry waiting when the system clock steps back keeps the wait it had left, instead of waiting
/// the size of the step on top; a step forward only makes it due early.
final class FaultClockStepDeliveryTests: XCTestCase {
    /// An emergency in the outbox, a hotline that refuses it with `Retry-After: 3`, and a dispatcher that
    /// watches for clock steps on a clock the test steps.
    func refusedOnce() async throws -> (Store, SteppedWallClock, HotlineReceiver, OutboxDispatcher) {
        let store = try Fixture.store(self)
        let clock = SteppedWallClock()
        let t0 = clock.now()
        try store.inTransaction(durable: true) {
            try Fixture.insertAlert(store, "A-1", at: t0)
            try store.enqueueIncident(
                OutboxItem(
                    id: "jn-01-A-1", alertID: "A-1", priority: 0, body: Array(#"{"id":"jn-01-A-1"}"#.utf8),
                    createdAt: t0))
        }
        let receiver = HotlineReceiver(defaultReply: .init(status: 503, headers: ["Retry-After": "3"]))
        _ = try await receiver.start()
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: store),
            transports: ["hotline": HotlineTransport(settings: HotlineSettings(url: receiver.url))],
            clock: clock, logger: Fixture.quiet, random: { 0.5 }, watchClockSteps: true)
        return (store, clock, receiver, dispatcher)
    }

    func testAStepBackDoesNotHoldAHotlineRetryBack() async throws {
        let (store, clock, receiver, dispatcher) = try await refusedOnce()
        try await Fixture.running(dispatcher) {
            _ = try await receiver.waitFor(count: 1, timeout: .seconds(5))
            let refusedAt = ContinuousClock.now
            let scheduled = try XCTUnwrap(try store.outboxItem(id: "jn-01-A-1")).nextAttemptAt
            // The clock steps back an hour while the retry waits its 3 s.
            clock.step(by: -3_600_000)
            receiver.setDefaultReply(.accepted(ticket: "T-1"))
            try await Fixture.eventually(timeout: .seconds(15)) {
                try store.alert(id: "A-1")?.incidentState == .delivered
            }
            let waited = ContinuousClock.now - refusedAt
            XCTAssertLessThan(waited, .seconds(6), "the retry kept its 3 s, not an hour more")
            XCTAssertGreaterThan(waited, .milliseconds(2000), "and was not sent early")
            let moved = try XCTUnwrap(try store.outboxItem(id: "jn-01-A-1"))
            XCTAssertLessThan(moved.nextAttemptAt, scheduled - 3_000_000, "its schedule moved back with the clock")
            print(
                "FAULT-FIGURE clock-step-retry step_s=-3600 retry_after_s=3 "
                    + "delivered_after_s=\(String(format: "%.2f", Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18))"
            )
        }
        XCTAssertEqual(receiver.requests.count, 2, "refused once, delivered once")
        await receiver.stop()
    }

    /// The step lands between the dispatcher's look at the clock and the pause it computes before
    /// sleeping (a step seen at a loop's second read of the clock, the outbox query's): the pause itself
    /// notices it, instead of sleeping up to the idle poll (30 s) with the retry an hour away. CI once
    /// caught the race in the test above this way.
    func testAStepJustBeforeThePauseIsFollowedAtOnce() async throws {
        let (store, clock, receiver, dispatcher) = try await refusedOnce()
        try await Fixture.running(dispatcher) {
            _ = try await receiver.waitFor(count: 1, timeout: .seconds(5))
            let refusedAt = ContinuousClock.now
            try await Fixture.eventually(timeout: .seconds(5)) {
                try store.outboxItem(id: "jn-01-A-1")?.attempts == 1
            }
            // Let the dispatcher go to sleep until the retry, then wake it: its loop reads the clock to
            // look for steps, then to query what is due (the step happens here), then to compute the pause.
            try await Task.sleep(for: .milliseconds(300))
            receiver.setDefaultReply(.accepted(ticket: "T-1"))
            clock.step(by: -3_600_000, atRead: 2)
            dispatcher.wake()
            try await Fixture.eventually(timeout: .seconds(15)) {
                try store.alert(id: "A-1")?.incidentState == .delivered
            }
            XCTAssertFalse(clock.stepPending)
            let waited = ContinuousClock.now - refusedAt
            XCTAssertLessThan(waited, .seconds(6), "the retry kept its 3 s, not the 30 s idle poll")
            XCTAssertGreaterThan(waited, .milliseconds(2000), "and was not sent early")
        }
        XCTAssertEqual(receiver.requests.count, 2, "refused once, delivered once")
        await receiver.stop()
    }
}
