import AnxinCore
import AnxinTesting
import XCTest

@testable import Ingest

final class BrokerRestartTests: XCTestCase {
    func testReconnectsAfterBrokerRestartOnSamePortAndKeepsReceiving() throws {
        let broker = try TestBroker()
        let (ingest, handoff, events) = try startIngest(broker: broker, capacity: 100)
        defer { ingest.stop() }
        XCTAssertEqual(events.wait { $0.isSubscribed }.count, 1)
        let drain = Drain(handoff)
        defer { drain.stop() }

        try broker.publish(topic: "devices/before", lines: ["b0", "b1", "b2"], qos: 1)
        XCTAssertEqual(drain.wait(forCount: 3).map(\.text), ["b0", "b1", "b2"])

        try broker.stop(.terminate)
        let drops = events.wait { $0.isDisconnected }
        XCTAssertEqual(drops.count, 1)
        guard case .disconnected(let reason) = drops.first else { return XCTFail("no disconnect event") }
        XCTAssertTrue(reason.hasPrefix("The connection was lost; reconnecting in "), reason)
        XCTAssertFalse(ingest.isConnected)
        XCTAssertFalse(ingest.subscriptionsAcknowledged)

        try broker.start()
        // The broker saved our session at SIGTERM: it is present again, nothing to re-subscribe.
        XCTAssertEqual(events.wait(for: 2, timeout: 20) { $0.isConnected }.last, .connected(sessionPresent: true))
        XCTAssertEqual(events.wait(for: 2) { $0.isSubscribed }.count, 2)
        XCTAssertTrue(ingest.isConnected)

        try broker.publish(topic: "devices/after", lines: ["a0", "a1"], qos: 1)
        XCTAssertEqual(drain.wait(forCount: 5).map(\.text), ["b0", "b1", "b2", "a0", "a1"])
        XCTAssertEqual(ingest.messagesReceived, 5)
    }

    func testKeepsRetryingWhileBrokerIsDownAndConnectsWhenItComesUp() throws {
        let broker = try TestBroker()
        try broker.stop(.kill)
        let events = EventRecorder()
        let ingest = MQTTIngest(
            settings: testSettings(port: broker.port), handoff: MessageHandoff(capacity: 10),
            clock: ManualWallClock(fixedReceiveTime), onEvent: events.handler)
        try ingest.start()
        defer { ingest.stop() }
        let failures = events.wait(for: 2) { $0.errorText != nil }
        XCTAssertEqual(failures.count, 2)
        XCTAssertTrue(
            failures[0].errorText?.hasPrefix(
                "cannot reach the MQTT broker at 127.0.0.1:\(broker.port) (Connection refused); retrying in") ?? false,
            "\(failures)")
        XCTAssertFalse(ingest.isConnected)

        try broker.start()
        XCTAssertEqual(events.wait(timeout: 20) { $0.isSubscribed }.count, 1)
        XCTAssertTrue(ingest.subscriptionsAcknowledged)
    }
}
