import AnxinCore
import XCTest

@testable import Ingest

final class MessageHandoffTests: XCTestCase {
    private func message(_ i: Int) -> InboundMessage {
        InboundMessage(topic: "t/\(i)", payload: [UInt8(i)], receivedAt: EpochMillis(i))
    }

    func testPushRefusesBeyondCapacityAndPopKeepsArrivalOrder() {
        let handoff = MessageHandoff(capacity: 3)
        XCTAssertEqual((0..<4).map { handoff.push(message($0)) }, [true, true, true, false])
        XCTAssertEqual(handoff.count, 3)
        XCTAssertEqual(handoff.popBatch(max: 2, timeoutMs: 0), [message(0), message(1)])
        XCTAssertTrue(handoff.push(message(4)))
        XCTAssertEqual(handoff.popBatch(max: 10, timeoutMs: 0), [message(2), message(4)])
        XCTAssertEqual(handoff.count, 0)
    }

    func testPopBatchReturnsEmptyWhenNothingArrivesInTime() {
        let handoff = MessageHandoff(capacity: 3)
        XCTAssertEqual(handoff.popBatch(max: 5, timeoutMs: 5), [])
    }

    func testPopBatchWakesWhenAMessageIsPushedFromAnotherThread() {
        let handoff = MessageHandoff(capacity: 3)
        let pusher = Thread { _ = handoff.push(InboundMessage(topic: "t", payload: [7], receivedAt: 1)) }
        pusher.start()
        XCTAssertEqual(
            handoff.popBatch(max: 5, timeoutMs: 10_000), [InboundMessage(topic: "t", payload: [7], receivedAt: 1)])
    }

    func testReaderIsSignalledOnlyOnceHalfTheCapacityIsFree() {
        let handoff = MessageHandoff(capacity: 10)
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var value = 0
        }
        let signals = Counter()
        handoff.setSpaceListener { signals.lock.withLock { signals.value += 1 } }
        for i in 0..<9 { XCTAssertTrue(handoff.push(message(i))) }
        XCTAssertFalse(handoff.reserveForRead(headroom: 2), "1 free slot is less than the headroom")
        _ = handoff.popBatch(max: 3, timeoutMs: 0)  // 4 free: not yet half
        XCTAssertEqual(signals.lock.withLock { signals.value }, 0)
        _ = handoff.popBatch(max: 1, timeoutMs: 0)  // 5 free
        XCTAssertEqual(signals.lock.withLock { signals.value }, 1)
        _ = handoff.popBatch(max: 5, timeoutMs: 0)
        XCTAssertEqual(signals.lock.withLock { signals.value }, 1, "no reader waiting any more")
        XCTAssertTrue(handoff.reserveForRead(headroom: 2))
    }

    func testShutdownMayPushBeyondCapacitySoNothingAcknowledgedIsDropped() {
        let handoff = MessageHandoff(capacity: 2)
        XCTAssertTrue(handoff.push(message(0)))
        XCTAssertTrue(handoff.push(message(1)))
        handoff.pushBeyondCapacity([message(2), message(3)])
        XCTAssertEqual(handoff.count, 4)
        XCTAssertEqual(handoff.popBatch(max: 10, timeoutMs: 0).map(\.topic), ["t/0", "t/1", "t/2", "t/3"])
    }

    /// A burst's messages are pushed without waking the pipeline; it wakes once, when the burst ends.
    func testMessagesPushedWithoutWakeWaitForWakeConsumer() {
        let handoff = MessageHandoff(capacity: 8)
        final class Box: @unchecked Sendable {
            let lock = NSLock()
            var batch: [InboundMessage]?
        }
        let got = Box()
        let popped = DispatchSemaphore(value: 0)
        let consumer = Thread {
            let batch = handoff.popBatch(max: 10, timeoutMs: 20_000)
            got.lock.withLock { got.batch = batch }
            popped.signal()
        }
        consumer.start()
        // Until the consumer waits, a push has nobody to wake; then two pushes leave it asleep.
        var waited = 0
        while handoff.consumerIsWaiting == false, waited < 10_000 {
            usleep(1000)
            waited += 1
        }
        XCTAssertTrue(handoff.consumerIsWaiting)
        XCTAssertTrue(handoff.push(message(0), wake: false))
        XCTAssertTrue(handoff.push(message(1), wake: false))
        XCTAssertEqual(popped.wait(timeout: .now() + .milliseconds(200)), .timedOut, "not woken by the burst itself")
        XCTAssertNil(got.lock.withLock { got.batch })
        handoff.wakeConsumer()
        XCTAssertEqual(popped.wait(timeout: .now() + .seconds(10)), .success)
        XCTAssertEqual(got.lock.withLock { got.batch }, [message(0), message(1)])
        // Nothing owed: another wake is a no-op, and a plain push is seen at once by the next pop.
        handoff.wakeConsumer()
        XCTAssertTrue(handoff.push(message(2)))
        XCTAssertEqual(handoff.popBatch(max: 10, timeoutMs: 0), [message(2)])
    }
}
