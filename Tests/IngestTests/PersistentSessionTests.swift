import AnxinCore
import AnxinTesting
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
}
