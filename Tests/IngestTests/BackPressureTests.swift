import AnxinCore
import AnxinTesting
import XCTest

@testable import Ingest

final class BackPressureTests: XCTestCase {
    func testTinyHandoffAndSlowConsumerLoseNothingAndKeepOrderPerTopic() throws {
        let broker = try TestBroker()
        let (ingest, handoff, events) = try startIngest(broker: broker, capacity: 10)
        defer { ingest.stop() }
        XCTAssertEqual(events.wait { $0.isSubscribed }.count, 1)
        let drain = Drain(handoff, batch: 3, pauseMicros: 300)
        defer { drain.stop() }

        let topics = (1...5).map { "devices/iw/86506702123456\($0)/ap49" }
        let publisher = try MQTTPublisher(port: broker.port, clientID: "test-publisher-flood")
        for i in 0..<5000 {
            try publisher.publish(topic: topics[i % 5], payload: Array("\(i / 5)".utf8), qos: 1)
        }
        try publisher.publish(topic: "devices/end", payload: Array("end".utf8), qos: 1)
        try publisher.flush(timeoutMs: 60_000)

        let got = drain.wait(timeout: 60) { $0.topic == "devices/end" }
        XCTAssertEqual(got.count, 5001, "every message exactly once, the end marker last")
        XCTAssertEqual(got.last?.topic, "devices/end")
        for topic in topics {
            let sequence = got.filter { $0.topic == topic }.map { Int($0.text) ?? -1 }
            XCTAssertEqual(sequence, Array(0..<1000), "in order, no gaps, no duplicates on \(topic)")
        }
        XCTAssertEqual(ingest.messagesReceived, 5001)
        XCTAssertGreaterThan(ingest.handoffFullWaits, 0, "reading paused while the hand-off was full")
        XCTAssertEqual(ingest.messagesParked, 0, "headroom kept every read within the hand-off")
        XCTAssertTrue(ingest.isConnected)
    }
}
