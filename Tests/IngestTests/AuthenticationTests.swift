import AnxinCore
import AnxinTesting
import XCTest

@testable import Ingest

final class AuthenticationTests: XCTestCase {
    func testWrongPasswordIsRefusedWithAClearErrorAndRightOneConnects() throws {
        let broker = try TestBroker(users: ["anxin": "correct-horse-battery"])

        let events = EventRecorder()
        let refused = MQTTIngest(
            settings: testSettings(port: broker.port, username: "anxin", password: "wrong-password"),
            handoff: MessageHandoff(capacity: 10), clock: ManualWallClock(fixedReceiveTime), onEvent: events.handler)
        try refused.start()
        let errors = events.wait { $0.errorText != nil }.compactMap(\.errorText)
        refused.stop()
        XCTAssertEqual(
            errors.first,
            "the MQTT broker refused the login (Not authorized): check mqtt.username and mqtt.password_file; "
                + "retrying with backoff")
        XCTAssertFalse(events.all.contains { $0.isConnected })
        XCTAssertFalse(events.all.contains { "\($0)".contains("wrong-password") })

        let goodEvents = EventRecorder()
        let accepted = MQTTIngest(
            settings: testSettings(port: broker.port, username: "anxin", password: "correct-horse-battery"),
            handoff: MessageHandoff(capacity: 10), clock: ManualWallClock(fixedReceiveTime),
            onEvent: goodEvents.handler)
        try accepted.start()
        defer { accepted.stop() }
        XCTAssertEqual(goodEvents.wait { $0.isSubscribed }.count, 1)
        XCTAssertEqual(goodEvents.all.first, .connected(sessionPresent: false))
    }

    func testPublisherWithWrongPasswordThrowsNotAuthorized() throws {
        let broker = try TestBroker(users: ["simulator": "s3cret"])
        XCTAssertThrowsError(
            try MQTTPublisher(port: broker.port, clientID: "sim", username: "simulator", password: "nope")
        ) { error in
            XCTAssertEqual(
                error as? MQTTError,
                MQTTError(kind: .notAuthorized, operation: .handshake, code: 135, detail: "Not authorized"))
            XCTAssertEqual((error as? MQTTError)?.recovery, .fixConfiguration)
        }
        let publisher = try MQTTPublisher(port: broker.port, clientID: "sim", username: "simulator", password: "s3cret")
        try publisher.publish(topic: "devices/x", payload: [1])
        try publisher.flush()
        XCTAssertEqual(publisher.acknowledgedCount, 1)
    }
}
