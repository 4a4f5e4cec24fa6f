import AnxinCore
import XCTest

@testable import Ingest

final class IngestConfigurationTests: XCTestCase {
    func testBackoffDoublesFromHalfASecondToThirtyWithJitterInTheUpperHalf() {
        var upper = ReconnectBackoff()
        XCTAssertEqual((0..<9).map { _ in upper.nextDelay(unit: 1) }, [0.5, 1, 2, 4, 8, 16, 30, 30, 30])
        var lower = ReconnectBackoff()
        XCTAssertEqual((0..<3).map { _ in lower.nextDelay(unit: 0) }, [0.25, 0.5, 1])
        lower.reset()
        XCTAssertEqual(lower.nextDelay(unit: 0.5), 0.375)
    }

    func testEveryProblemInTheSettingsIsReportedAtOnceAndStartRefuses() {
        let settings = MQTTSettings(
            host: "", port: 0, clientID: "", password: "x", keepAlive: 3, receiveMaximum: 0, qos: 3,
            topicFilters: [], maxPayload: 0)
        XCTAssertEqual(
            settings.problems(),
            [
                "mqtt.host is empty", "mqtt.port 0 is not in 1...65535",
                "mqtt.client_id is empty (a persistent session needs a stable id)",
                "keepalive 3 must be 0 or 5...65535 seconds", "receive maximum must be at least 1",
                "qos 3 is not 0, 1 or 2", "no topic filters to subscribe to", "mqtt.max_payload must be positive",
                "a password is set without a username",
            ])
        let ingest = MQTTIngest(
            settings: settings, handoff: MessageHandoff(capacity: 1), clock: ManualWallClock(0), onEvent: { _ in })
        XCTAssertThrowsError(try ingest.start()) { error in
            XCTAssertEqual((error as? MQTTError)?.kind, .invalidSettings)
            XCTAssertEqual((error as? MQTTError)?.recovery, .fixConfiguration)
        }
    }

    func testSettingsDescriptionNeverShowsThePassword() {
        let settings = MQTTSettings(clientID: "anxin-1", username: "anxin", password: "hunter2", topicFilters: ["a/#"])
        XCTAssertEqual(
            settings.description, #"mqtt://anxin@127.0.0.1:1883 client=anxin-1 tls=false password=*** filters=["a/#"]"#)
    }

    func testLibraryCodesMapToWhatHappensNext() {
        XCTAssertNil(MQTTError(mosquittoCode: 0, operation: .read))
        let lost = MQTTError(mosquittoCode: 7, operation: .read)
        XCTAssertEqual(lost?.kind, .connectionLost)
        XCTAssertEqual(lost?.recovery, .retryLater)
        XCTAssertEqual(
            lost?.description, "MQTT read failed: connection lost (The connection was lost, code 7); retry later")
        XCTAssertEqual(MQTTError(mosquittoCode: 11, operation: .connect)?.kind, .notAuthorized)
        XCTAssertEqual(MQTTError(mosquittoCode: 8, operation: .connect)?.recovery, .fixConfiguration)
        XCTAssertEqual(MQTTError(mosquittoCode: 20, operation: .connect)?.kind, .lookupFailed)
        XCTAssertEqual(MQTTError(mosquittoCode: 3, operation: .subscribe)?.kind, .invalidSettings)
        for code in Int32(1)...31 where code != 17 {
            XCTAssertNotNil(MQTTError(mosquittoCode: code, operation: .read), "code \(code) maps to an error")
        }
        for informational: Int32 in [-4, -3, -2, -1, 17] {
            XCTAssertNil(
                MQTTError(mosquittoCode: informational, operation: .read), "code \(informational) is no failure")
        }
    }

    func testUnreadableTLSFileFailsAtStart() {
        let settings = MQTTSettings(
            clientID: "anxin-tls", tls: TLSSettings(caFile: "/nonexistent/ca.pem"), topicFilters: ["a/#"])
        let ingest = MQTTIngest(
            settings: settings, handoff: MessageHandoff(capacity: 1), clock: ManualWallClock(0), onEvent: { _ in })
        XCTAssertThrowsError(try ingest.start()) { error in
            XCTAssertEqual((error as? MQTTError)?.kind, .invalidSettings)
            XCTAssertEqual((error as? MQTTError)?.operation, .configure)
        }
        XCTAssertFalse(ingest.isConnected)
    }
}
