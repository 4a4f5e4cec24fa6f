import AnxinCore
import AnxinTesting
import Foundation
import XCTest

@testable import Ingest

/// The ingest against a real mosquitto TLS listener that demands a client certificate and a password, with an ACL.
final class MQTTTLSTests: XCTestCase {
    private static let gatewayPassword = "correct-horse-battery"
    private static let watchIMEI = "861234567890123"

    /// The broker of a district deployment in small: TLS only, client certificates, passwords, and an ACL
    /// where the gateway reads everything and a watch account may publish only under its own IMEI.
    private func makeBroker() throws -> TestBroker {
        try TestBroker(
            users: ["anxin": Self.gatewayPassword, Self.watchIMEI: "watch-secret"], tls: true,
            acl: ["user anxin", "topic read #", "pattern write watch/iw/%u/up"])
    }

    private func tlsSettings(
        _ broker: TestBroker, password: String = gatewayPassword, client: TestCertificateAuthority.Identity? = nil,
        caFile: URL? = nil
    ) throws -> MQTTSettings {
        let files = try XCTUnwrap(broker.tlsFiles)
        let identity = try client ?? files.authority.issue(commonName: "anxin-gateway", for: .client)
        var settings = testSettings(
            port: broker.port, filters: ["watch/iw/+/up"], username: "anxin", password: password)
        settings.tls = TLSSettings(
            caFile: (caFile ?? files.authority.root.certificateFile).path,
            certFile: identity.certificateFile.path, keyFile: identity.keyFile.path)
        return settings
    }

    private func start(_ settings: MQTTSettings) throws -> (MQTTIngest, MessageHandoff, EventRecorder) {
        let handoff = MessageHandoff(capacity: 100)
        let events = EventRecorder()
        let ingest = MQTTIngest(
            settings: settings, handoff: handoff, clock: ManualWallClock(fixedReceiveTime), onEvent: events.handler)
        try ingest.start()
        return (ingest, handoff, events)
    }

    func testRightCertificateAndPasswordConnectsAndReceivesAQoS1Message() throws {
        let broker = try makeBroker()
        let (ingest, handoff, events) = try start(try tlsSettings(broker))
        defer { ingest.stop() }
        XCTAssertEqual(events.wait { $0.isSubscribed }.count, 1)
        XCTAssertEqual(events.all.first, .connected(sessionPresent: false))
        XCTAssertTrue(ingest.isConnected)

        let drain = Drain(handoff)
        defer { drain.stop() }
        let topic = "watch/iw/\(Self.watchIMEI)/up"
        try broker.publish(
            topic: topic, payload: Array("IWAP03,06000908000102,5555,30#".utf8), qos: 1, username: Self.watchIMEI,
            password: "watch-secret")
        let received = drain.wait(forCount: 1)
        XCTAssertEqual(received.map(\.topic), [topic])
        XCTAssertEqual(received.first?.text, "IWAP03,06000908000102,5555,30#")
        XCTAssertEqual(received.first?.receivedAt, fixedReceiveTime)
        XCTAssertTrue(broker.log().contains("New client connected"))
    }

    func testWrongPasswordOverTLSIsRefusedWithAClearError() throws {
        let broker = try makeBroker()
        let (ingest, _, events) = try start(try tlsSettings(broker, password: "wrong-password"))
        let errors = events.wait { $0.errorText != nil }.compactMap(\.errorText)
        ingest.stop()
        XCTAssertEqual(
            errors.first,
            "the MQTT broker refused the login (Not authorized): check mqtt.username and mqtt.password_file; "
                + "retrying with backoff")
        XCTAssertFalse(ingest.isConnected)
        XCTAssertFalse(events.all.contains { $0.isConnected })
        XCTAssertFalse(events.all.contains { "\($0)".contains("wrong-password") })
    }

    func testClientCertificateFromAnotherCAIsRefused() throws {
        let broker = try makeBroker()
        let files = try XCTUnwrap(broker.tlsFiles)
        let stranger = try TestCertificateAuthority(
            name: "Stranger CA", in: files.directory.appendingPathComponent("stranger", isDirectory: true))
        let forged = try stranger.issue(commonName: "anxin-gateway", for: .client)

        let (ingest, _, events) = try start(try tlsSettings(broker, client: forged))
        let errors = events.wait { $0.errorText != nil }.compactMap(\.errorText)
        ingest.stop()
        let first = try XCTUnwrap(errors.first)
        // The reason in brackets is OpenSSL's ("tlsv1 alert unknown ca") or, when the broker ends the
        // session before OpenSSL logs one, libmosquitto's ("Protocol error"): timing decides.
        XCTAssertTrue(first.hasPrefix("the MQTT broker ended the TLS session before accepting the login ("), first)
        XCTAssertTrue(first.contains("): check that it trusts mqtt.tls.cert_file; retrying in "), first)
        XCTAssertFalse(events.all.contains { $0.isConnected })
        XCTAssertFalse(ingest.isConnected)
        let deadline = Date().addingTimeInterval(3)
        while !broker.log().contains("certificate verify failed") && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(broker.log().contains("certificate verify failed"), broker.log())
    }

    func testBrokerCertificateFromAnotherCAIsRefused() throws {
        let broker = try makeBroker()
        let files = try XCTUnwrap(broker.tlsFiles)
        let stranger = try TestCertificateAuthority(
            name: "Stranger CA", in: files.directory.appendingPathComponent("stranger", isDirectory: true))

        let (ingest, _, events) = try start(try tlsSettings(broker, caFile: stranger.root.certificateFile))
        let errors = events.wait { $0.errorText != nil }.compactMap(\.errorText)
        ingest.stop()
        let first = try XCTUnwrap(errors.first)
        XCTAssertTrue(
            first.hasPrefix(
                "the TLS handshake with the MQTT broker at 127.0.0.1:\(broker.port) failed (certificate verify failed): "
                    + "check mqtt.tls.ca_file, cert_file and key_file; retrying in "), first)
        XCTAssertFalse(events.all.contains { $0.isConnected })
        XCTAssertFalse(ingest.isConnected)
    }

    func testPublishOutsideTheDevicesOwnTopicIsNotDelivered() throws {
        let broker = try makeBroker()
        let (ingest, handoff, events) = try start(try tlsSettings(broker))
        defer { ingest.stop() }
        XCTAssertEqual(events.wait { $0.isSubscribed }.count, 1)
        let drain = Drain(handoff)
        defer { drain.stop() }

        // Had the broker accepted it, the spoofed message would arrive first (one subscriber, in order).
        // The watch account spoofs another watch's IMEI, then publishes under its own.
        let spoofed = "watch/iw/869999999999999/up"
        let own = "watch/iw/\(Self.watchIMEI)/up"
        // mosquitto answers a denied QoS 1 publish with PUBACK "not authorized" and drops the message.
        try broker.publish(
            topic: spoofed, payload: Array("IWAPHP,999#".utf8), username: Self.watchIMEI, password: "watch-secret")
        try broker.publish(
            topic: own, payload: Array("IWAPHP,61#".utf8), username: Self.watchIMEI, password: "watch-secret")

        let received = drain.wait { $0.topic == own }
        XCTAssertEqual(received.map(\.topic), [own])
        XCTAssertEqual(received.map(\.text), ["IWAPHP,61#"])
    }
}
