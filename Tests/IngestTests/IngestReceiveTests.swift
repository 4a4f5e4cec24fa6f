import AnxinCore
import AnxinTesting
import CSocketBuffer
import XCTest

@testable import Ingest

final class IngestReceiveTests: XCTestCase {
    func testReceivesQoS1MessagesWithExactPayloadBytes() throws {
        let broker = try TestBroker()
        let (ingest, handoff, events) = try startIngest(broker: broker, capacity: 100)
        defer { ingest.stop() }
        XCTAssertEqual(events.wait { $0.isSubscribed }.count, 1)
        XCTAssertEqual(events.all.first, .connected(sessionPresent: false))
        XCTAssertTrue(ingest.isConnected)
        XCTAssertTrue(ingest.subscriptionsAcknowledged)
        let drain = Drain(handoff)
        defer { drain.stop() }

        let binary: [UInt8] = [0x00, 0xFF, 0x5B, 0x33, 0x47, 0x2A, 0x0A, 0x0D, 0x80, 0x00]
        let text = Array(#"{"IMEI":"865067021234567","name":"张桂兰","hr":78}"#.utf8)
        try broker.publish(topic: "devices/imede/865067021234567/vitals", payload: binary, qos: 1)
        try broker.publish(topic: "elsewhere/not-subscribed", payload: [1, 2, 3], qos: 1)
        let publisher = try MQTTPublisher(port: broker.port, clientID: "test-publisher")
        try publisher.publish(topic: "devices/iw/865067021234567/ap49", payload: text, qos: 1)
        try publisher.publish(topic: "devices/empty", payload: [], qos: 1)
        try publisher.flush()
        XCTAssertEqual(publisher.acknowledgedCount, 2)

        let got = drain.wait(forCount: 3)
        XCTAssertEqual(
            got,
            [
                InboundMessage(
                    topic: "devices/imede/865067021234567/vitals", payload: binary, receivedAt: fixedReceiveTime),
                InboundMessage(topic: "devices/iw/865067021234567/ap49", payload: text, receivedAt: fixedReceiveTime),
                InboundMessage(topic: "devices/empty", payload: [], receivedAt: fixedReceiveTime),
            ])
        XCTAssertEqual(ingest.messagesReceived, 3)
        XCTAssertEqual(ingest.messagesOversize, 0)
    }

    /// Messages share slabs of bytes: many slabs' worth, and one larger than a slab, arrive intact and in
    /// order, and a message outlives the slab being filled after it.
    func testMessagesAcrossManySlabsKeepTheirBytes() throws {
        let broker = try TestBroker()
        let (ingest, handoff, events) = try startIngest(broker: broker, capacity: 5000)
        defer { ingest.stop() }
        XCTAssertEqual(events.wait { $0.isSubscribed }.count, 1)
        let drain = Drain(handoff)
        defer { drain.stop() }
        let publisher = try MQTTPublisher(port: broker.port, clientID: "test-publisher-slabs")
        var sent: [(String, [UInt8])] = []
        for i in 0..<1500 {
            let payload = [UInt8]((0..<(100 + i % 57)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) })
            sent.append(("devices/slab/\(i)", payload))
            if i == 700 { sent.append(("devices/big", [UInt8](repeating: 0x5A, count: MessageSlab.size + 1000))) }
        }
        let (readsBefore, kernelBefore) = (anxin_read_buffer_reads(), anxin_read_buffer_kernel_reads())
        for (topic, payload) in sent { try publisher.publish(topic: topic, payload: payload, qos: 1) }
        try publisher.flush()
        let got = drain.wait(forCount: sent.count, timeout: 60)
        XCTAssertEqual(got.count, sent.count)
        // libmosquitto read each message in three or more calls; the buffer served most of them.
        let reads = anxin_read_buffer_reads() - readsBefore
        let kernelReads = anxin_read_buffer_kernel_reads() - kernelBefore
        XCTAssertGreaterThanOrEqual(reads, UInt64(3 * sent.count))
        XCTAssertLessThan(kernelReads * 2, reads, "\(kernelReads) kernel reads for \(reads)")
        XCTAssertEqual(got.map(\.topic), sent.map(\.0))
        XCTAssertTrue(zip(got, sent).allSatisfy { $0.payload == $1.1 }, "every payload byte for byte")
        XCTAssertTrue(got.allSatisfy { $0.receivedAt == fixedReceiveTime })
    }

    func testInboundMessagesMadeInTestsCompareByContent() {
        let a = InboundMessage(topic: "t/1", payload: [1, 2, 3], receivedAt: 5)
        XCTAssertEqual(a, InboundMessage(topic: "t/1", payload: [1, 2, 3], receivedAt: 5))
        XCTAssertNotEqual(a, InboundMessage(topic: "t/1", payload: [1, 2, 4], receivedAt: 5))
        XCTAssertNotEqual(a, InboundMessage(topic: "t/2", payload: [1, 2, 3], receivedAt: 5))
        XCTAssertNotEqual(a, InboundMessage(topic: "t/1", payload: [1, 2, 3], receivedAt: 6))
        XCTAssertEqual(InboundMessage(topic: "", payload: [], receivedAt: 0).payload, [])
        a.withBytes { topic, payload in
            XCTAssertEqual(Array(topic), Array("t/1".utf8))
            XCTAssertEqual(Array(payload), [1, 2, 3])
        }
    }

    func testOversizePayloadIsCountedAndDroppedWhileLaterMessagesArrive() throws {
        let broker = try TestBroker()
        let handoff = MessageHandoff(capacity: 100)
        let events = EventRecorder()
        let ingest = MQTTIngest(
            settings: testSettings(port: broker.port, maxPayload: 1024), handoff: handoff,
            clock: ManualWallClock(fixedReceiveTime), onEvent: events.handler)
        try ingest.start()
        defer { ingest.stop() }
        XCTAssertEqual(events.wait { $0.isSubscribed }.count, 1)
        let drain = Drain(handoff)
        defer { drain.stop() }

        let publisher = try MQTTPublisher(port: broker.port, clientID: "test-publisher-oversize")
        try publisher.publish(topic: "devices/at-limit", payload: [UInt8](repeating: 0x41, count: 1024))
        try publisher.publish(topic: "devices/one-over", payload: [UInt8](repeating: 0x42, count: 1025))
        try publisher.publish(topic: "devices/flood", payload: [UInt8](repeating: 0x43, count: 2 * 1024 * 1024))
        try publisher.publish(topic: "devices/after", payload: Array("still here".utf8))
        try publisher.flush()

        let got = drain.wait { $0.topic == "devices/after" }
        XCTAssertEqual(got.map(\.topic), ["devices/at-limit", "devices/after"])
        XCTAssertEqual(got.first?.payload.count, 1024)
        XCTAssertEqual(got.last?.text, "still here")
        XCTAssertEqual(ingest.messagesOversize, 2)
        XCTAssertEqual(ingest.messagesReceived, 4)
    }

    func testUpdateSubscriptionsAddsNewFiltersAndDropsOldOnes() throws {
        let broker = try TestBroker()
        let handoff = MessageHandoff(capacity: 100)
        let events = EventRecorder()
        let ingest = MQTTIngest(
            settings: testSettings(port: broker.port, filters: ["wristband/#"]), handoff: handoff,
            clock: ManualWallClock(fixedReceiveTime), onEvent: events.handler)
        try ingest.start()
        defer { ingest.stop() }
        XCTAssertEqual(events.wait { $0.isSubscribed }.count, 1)

        ingest.updateSubscriptions(["mattress/#", "mattress/#"])
        XCTAssertEqual(events.wait(for: 2) { $0.isSubscribed }.count, 2)
        XCTAssertTrue(ingest.subscriptionsAcknowledged)

        let drain = Drain(handoff)
        defer { drain.stop() }
        let publisher = try MQTTPublisher(port: broker.port, clientID: "test-publisher-reload")
        try publisher.publish(topic: "wristband/1", payload: Array("dropped filter".utf8))
        try publisher.publish(topic: "mattress/201906078", payload: Array("new filter".utf8))
        try publisher.flush()
        let got = drain.wait(forCount: 1)
        XCTAssertEqual(got.map(\.topic), ["mattress/201906078"])
        XCTAssertEqual(got.map(\.text), ["new filter"])
        XCTAssertEqual(ingest.messagesReceived, 1)
    }
}
