import AnxinCore
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import StaffAPI

final class StaffOperationsRoutesTests: XCTestCase {
    func testHealthzOK() async throws {
        try await staffApp(WardDataSource()).test(.router) { client in
            let r = try await client.execute(uri: "/healthz", method: .get)
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8")
            XCTAssertEqual(r.text, #"{"status":"ok"}"# + "\n")
        }
    }

    func testHealthzUnavailableGivesTheReason() async throws {
        let ward = WardDataSource()
        await ward.setHealth(ok: false, reason: "mqtt disconnected")
        try await staffApp(ward).test(.router) { client in
            let r = try await client.execute(uri: "/healthz", method: .get)
            XCTAssertEqual(r.status, .serviceUnavailable)
            XCTAssertEqual(r.text, #"{"status":"unavailable","reason":"mqtt disconnected"}"# + "\n")
        }
    }

    func testMetricsArePrometheusText() async throws {
        try await staffApp(WardDataSource()).test(.router) { client in
            let r = try await client.execute(uri: "/metrics", method: .get)
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
            XCTAssertEqual(r.text, "anxin_messages_received_total 42\n")
        }
    }

    func testUnknownRouteAndWrongMethodAreJSON404() async throws {
        try await staffApp(WardDataSource()).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/beds", method: .get)
            assertError(r, .notFound, "not found")
            let m = try await client.execute(uri: "/api/v1/alerts/A-0003/ack", method: .get)
            assertError(m, .notFound, "not found")
        }
    }

    func testDataSourceFailureIsJSON500WithoutDetail() async throws {
        let ward = WardDataSource()
        await ward.setFailing()
        try await staffApp(ward).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/alerts", method: .get)
            assertError(r, .internalServerError, "internal error")
        }
    }
}
