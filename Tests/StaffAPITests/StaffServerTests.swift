import AnxinCore
import Logging
import ServiceLifecycle
import XCTest

@testable import StaffAPI

final class StaffServerTests: XCTestCase {
    func testServerOnAFreePortStreamsAlertsAndKeepAlivesThenShutsDownGracefully() async throws {
        let hub = AlertEventHub()
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let server = StaffServer(
            host: "127.0.0.1", port: 0, source: WardDataSource(), accounts: try makeAccounts(),
            access: StaffAccessSettings(anonymous: .oncall), events: hub,
            keepAliveInterval: .milliseconds(50), logger: Logger(label: "staffapi-test"),
            onListening: { portSink.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "staffapi-test")))
        let running = Task { try await group.run() }

        var portIterator = ports.makeAsyncIterator()
        let reported = await portIterator.next()
        let port = try XCTUnwrap(reported)
        XCTAssertGreaterThan(port, 0)

        let health = try LoopbackHTTPConnection(port: port)
        try health.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let healthText = try await health.readToEnd()
        XCTAssertTrue(healthText.hasPrefix("HTTP/1.1 200 OK\r\n"), healthText)
        XCTAssertTrue(healthText.hasSuffix("\r\n\r\n{\"status\":\"ok\"}\n"), healthText)

        let stream = try LoopbackHTTPConnection(port: port)
        try stream.send("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let opening = try await stream.read(until: ": anxin alert stream\n\n")
        XCTAssertTrue(opening.hasPrefix("HTTP/1.1 200 OK\r\n"), opening)
        XCTAssertTrue(opening.lowercased().contains("content-type: text/event-stream; charset=utf-8\r\n"), opening)
        try await waitUntil("the stream to subscribe") { hub.subscriberCount == 1 }

        hub.publish(Ward.heartRate)
        let withAlert = try await stream.read(until: "event: alert\ndata: " + Ward.heartRateJSON + "\n\n")
        XCTAssertTrue(withAlert.contains(Ward.heartRateJSON))
        let withKeepAlive = try await stream.read(until: ": keep-alive\n\n")
        XCTAssertTrue(withKeepAlive.contains(": keep-alive\n\n"))

        await group.triggerGracefulShutdown()
        let rest = try await stream.readToEnd()
        XCTAssertTrue(rest.hasSuffix("0\r\n\r\n"), "stream ends with the last chunk: \(rest.suffix(40))")
        try await running.value
        XCTAssertEqual(hub.subscriberCount, 0)
    }
}
