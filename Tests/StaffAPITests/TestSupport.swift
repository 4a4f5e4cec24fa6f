import AnxinCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Store
import XCTest

@testable import StaffAPI

/// Builds the application the route tests drive. By default anonymous callers are on call (the
/// loopback default) and the accounts live in a fresh database.
func staffApp(
    _ source: WardDataSource, events: AlertEventHub = AlertEventHub(),
    clock: any WallClock = ManualWallClock(Ward.at("2026-11-22T00:30:00Z")),
    accounts: StaffAccounts? = nil, anonymous: AnonymousAccess = .oncall
) throws -> some ApplicationProtocol {
    let accounts = try accounts ?? makeAccounts(clock: clock)
    return Application(
        router: makeStaffRouter(
            source: source, accounts: accounts, access: StaffAccessSettings(anonymous: anonymous), events: events,
            clock: clock))
}

/// Accounts over a new SQLite file, bcrypt at its cheapest cost.
func makeAccounts(clock: any WallClock = ManualWallClock(Ward.at("2026-11-22T00:30:00Z"))) throws -> StaffAccounts {
    StaffAccounts(store: try TestDatabases.newStore(), clock: clock, bcryptCost: 4)
}

/// Fresh database files in one folder per test process, removed when the process exits.
enum TestDatabases {
    static let folder: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "anxin-staffapi-tests-\(ProcessInfo.processInfo.processIdentifier)"
        ).path
        try? FileManager.default.removeItem(atPath: path)
        atexit { try? FileManager.default.removeItem(atPath: TestDatabases.folder) }
        return path
    }()

    static func newStore() throws -> Store {
        try Store(path: folder + "/" + UUID().uuidString + ".db")
    }
}

/// `Content-Type: application/json`, which every POST with a body needs.
let jsonHeaders: HTTPFields = [.contentType: "application/json"]

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
