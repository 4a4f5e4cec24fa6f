import AnxinCore
import AnxinTesting
import CSocketBuffer
import XCTest

@testable import Ingest

final class PersistentSessionTests: XCTestCase {
    func testMessagesPublishedWhileStoppedArriveAfterRestartWithSameClientID() throws {
        let broker = try TestBroker()
        let settings = testSettings(port: broker.port, clientID: "anxin-jinning-01")

        let firstEvents = EventRecorder()
        let first = MQTTIngest(
            settings: settings, handoff: MessageHandoff(capacity: 10), clock: ManualWallClock(fixedReceiveTime),
            onEvent: firstEvents.handler)
        try first.start()
        XCTAssertEqual(firstEvents.wait { $0.isSubscribed }.count, 1)
        first.stop()
        XCTAssertFalse(first.isConnected)
        XCTAssertEqual(firstEvents.all.last, .disconnected(reason: "stopped"))

        let publisher = try MQTTPublisher(port: broker.port, clientID: "test-publisher-away")
        for i in 0..<100 {
            try publisher.publish(topic: "devices/imede/865067021234567/vitals", payload: Array("away-\(i)".utf8))
        }
        try publisher.flush()
        XCTAssertEqual(publisher.acknowledgedCount, 100)

        let handoff = MessageHandoff(capacity: 1000)
        let events = EventRecorder()
        let second = MQTTIngest(
            settings: settings, handoff: handoff, clock: ManualWallClock(fixedReceiveTime), onEvent: events.handler)
        try second.start()
        defer { second.stop() }
        let drain = Drain(handoff)
        defer { drain.stop() }

        let got = drain.wait(forCount: 100)
        XCTAssertEqual(got.map(\.text), (0..<100).map { "away-\($0)" })
        XCTAssertEqual(events.wait { $0.isConnected }, [.connected(sessionPresent: true)])
        XCTAssertEqual(events.wait { $0.isSubscribed }.count, 1)
        XCTAssertEqual(second.messagesReceived, 100)
    }

    /// Messages read in bursts have their acknowledgements held back and sent together at the end of each
    /// burst (socket_buffer.c), far fewer kernel writes than acknowledgements: every one reaches the broker,
    /// so a new connection of the same session is sent nothing again.
    func testAcknowledgementsHeldInBurstsAllReachTheBroker() throws {
        let broker = try TestBroker()
        let settings = testSettings(port: broker.port, clientID: "anxin-burst-acks")
        let start = { (events: EventRecorder, handoff: MessageHandoff) -> MQTTIngest in
            let ingest = MQTTIngest(
                settings: settings, handoff: handoff, clock: ManualWallClock(fixedReceiveTime),
                onEvent: events.handler)
            try ingest.start()
            return ingest
        }
        let firstEvents = EventRecorder()
        let first = try start(firstEvents, MessageHandoff(capacity: 10))
        XCTAssertEqual(firstEvents.wait { $0.isSubscribed }.count, 1)
        first.stop()

        // Queued while away, so the broker sends them back to back and they are read in bursts.
        let publisher = try MQTTPublisher(port: broker.port, clientID: "test-publisher-burst")
        let count = 3_000
        for i in 0..<count {
            try publisher.publish(topic: "devices/imede/865067021234567/vitals", payload: Array("m-\(i)".utf8))
        }
        try publisher.flush()
        XCTAssertEqual(publisher.acknowledgedCount, count)

        let (writesBefore, kernelBefore) = (anxin_write_buffer_writes(), anxin_write_buffer_kernel_writes())
        let mutedBefore = anxin_wake_pair_muted_writes()
        let handoff = MessageHandoff(capacity: 1000)
        let second = try start(EventRecorder(), handoff)
        let drain = Drain(handoff)
        let got = drain.wait(forCount: count)
        XCTAssertEqual(got.map(\.text), (0..<count).map { "m-\($0)" })
        XCTAssertGreaterThan(second.heldBursts, 0, "bursts read with their acknowledgements held")
        let writes = anxin_write_buffer_writes() - writesBefore
        let kernelWrites = anxin_write_buffer_kernel_writes() - kernelBefore
        XCTAssertGreaterThanOrEqual(writes, UInt64(count), "an acknowledgement written for each message")
        XCTAssertLessThan(kernelWrites, writes / 2, "\(kernelWrites) kernel writes for \(writes)")
        // libmosquitto's wake-up byte, one per acknowledgement queued, was never written: nobody reads it.
        XCTAssertGreaterThanOrEqual(anxin_wake_pair_muted_writes() - mutedBefore, UInt64(count))
        second.stop()
        drain.stop()

        // Had any acknowledgement been lost, the broker would send that message again before this one.
        try publisher.publish(topic: "devices/imede/865067021234567/vitals", payload: Array("after".utf8))
        try publisher.flush()
        let thirdHandoff = MessageHandoff(capacity: 1000)
        let thirdEvents = EventRecorder()
        let third = try start(thirdEvents, thirdHandoff)
        defer { third.stop() }
        let thirdDrain = Drain(thirdHandoff)
        defer { thirdDrain.stop() }
        XCTAssertEqual(thirdDrain.wait(forCount: 1).map(\.text), ["after"])
        XCTAssertEqual(thirdEvents.wait { $0.isConnected }, [.connected(sessionPresent: true)])
        XCTAssertEqual(third.messagesReceived, 1)
    }
}
