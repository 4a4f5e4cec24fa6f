import AnxinCore
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import StaffAPI

/// Builds the application the route tests drive.
func staffApp(
    _ source: WardDataSource, events: AlertEventHub = AlertEventHub(),
    clock: any WallClock = ManualWallClock(Ward.at("2026-11-22T00:30:00Z"))
) -> some ApplicationProtocol {
    Application(router: makeStaffRouter(source: source, events: events, clock: clock))
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }
}

/// A JSON body as a request body.
func jsonBody(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

/// Asserts a `{"error": "…"}` response with this status and message.
func assertError(
    _ response: TestResponse, _ status: HTTPResponse.Status, _ message: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(response.status, status, file: file, line: line)
    XCTAssertEqual(response.headers[.contentType], "application/json; charset=utf-8", file: file, line: line)
    XCTAssertEqual(response.text, #"{"error":"# + JSONText.quote(message) + "}\n", file: file, line: line)
}

/// Waits (polling, at most `seconds`) until `condition` holds; fails the test otherwise.
func waitUntil(
    _ what: String, seconds: Double = 10, file: StaticString = #filePath, line: UInt = #line,
    _ condition: @Sendable () async -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    XCTFail("timed out waiting for \(what)", file: file, line: line)
    throw CancellationError()
}
