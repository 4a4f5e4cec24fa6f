import AnxinCore
import AnxinTesting
import Foundation
import Store
import Synchronization
import XCTest

@testable import Delivery

/// The system's time plus an offset a test steps, as `date -s` would.
final class SteppedWallClock: WallClock, Sendable {
    private let offset = Mutex<EpochMillis>(0)
    func now() -> EpochMillis { SystemWallClock().now() + offset.withLock { $0 } }
    func step(by ms: EpochMillis) { offset.withLock { $0 += ms } }
}

/// A retry waiting when the system clock steps back keeps the wait it had left, instead of waiting
/// the size of the step on top; a step forward only makes it due early.
final class FaultClockStepDeliveryTests: XCTestCase {
    func testAStepBackDoesNotHoldAHotlineRetryBack() async throws {
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
}
