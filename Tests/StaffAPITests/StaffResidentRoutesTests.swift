import AnxinCore
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import StaffAPI

final class StaffResidentRoutesTests: XCTestCase {
    func testResidentWithLatestVitalsAndOpenAlerts() async throws {
        try await staffApp(WardDataSource()).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/residents/R-0001", method: .get)
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8")
            XCTAssertEqual(r.text, Ward.residentJSON + "\n")
        }
    }

    func testUnknownResidentIs404() async throws {
        try await staffApp(WardDataSource()).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/residents/R-4040", method: .get)
            assertError(r, .notFound, "unknown resident")
            let h = try await client.execute(uri: "/api/v1/residents/R-4040/readings", method: .get)
            assertError(h, .notFound, "unknown resident")
        }
    }

    func testReadingHistoryDefaultsToTheLastDayOnTheInjectedClock() async throws {
        let ward = WardDataSource()
        let clock = ManualWallClock(Ward.at("2026-11-23T00:05:00Z"))
        try await staffApp(ward, clock: clock).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/residents/R-0001/readings", method: .get)
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.text, #"{"readings":["# + Ward.readingJSON[0...1].joined(separator: ",") + "]}\n")
        }
        let queries = await ward.readingQueries
        XCTAssertEqual(
            queries, [.init(residentID: "R-0001", kind: nil, since: Ward.at("2026-11-22T00:05:00Z"), limit: 1000)])
    }

    func testReadingHistoryByKindAndSinceWithOffsets() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let all = try await client.execute(
                uri: "/api/v1/residents/R-0001/readings?kind=heart_rate&since=2026-11-21", method: .get)
            XCTAssertEqual(
                all.text, #"{"readings":["# + Ward.readingJSON[0] + "," + Ward.readingJSON[2] + "]}\n")
            let encoded = try await client.execute(
                uri: "/api/v1/residents/R-0001/readings?kind=heart_rate&since=2026-11-22T08:00:00%2B08:00&limit=5",
                method: .get)
            XCTAssertEqual(encoded.text, #"{"readings":["# + Ward.readingJSON[0] + "]}\n")
            let literal = try await client.execute(
                uri: "/api/v1/residents/R-0001/readings?since=2026-11-22T08:05:00+08:00", method: .get)
            XCTAssertEqual(literal.text, #"{"readings":["# + Ward.readingJSON[0...1].joined(separator: ",") + "]}\n")
        }
        let queries = await ward.readingQueries
        XCTAssertEqual(
            queries,
            [
                .init(residentID: "R-0001", kind: "heart_rate", since: Ward.at("2026-11-21T00:00:00Z"), limit: 1000),
                .init(residentID: "R-0001", kind: "heart_rate", since: Ward.at("2026-11-22T00:00:00Z"), limit: 5),
                .init(residentID: "R-0001", kind: nil, since: Ward.at("2026-11-22T00:05:00Z"), limit: 1000),
            ])
    }

    func testReadingHistoryRejectsBadKindSinceAndLimit() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let kind = try await client.execute(uri: "/api/v1/residents/R-0001/readings?kind=pulse", method: .get)
            assertError(kind, .badRequest, "unknown reading kind")
            for since in ["yesterday", "2026-13-01", "2026-11-22T25:00:00Z", "1700000000"] {
                let r = try await client.execute(uri: "/api/v1/residents/R-0001/readings?since=\(since)", method: .get)
                assertError(r, .badRequest, "since must be an ISO 8601 time")
            }
            let limit = try await client.execute(uri: "/api/v1/residents/R-0001/readings?limit=10001", method: .get)
            assertError(limit, .badRequest, "limit must be 1 to 10000")
        }
        let queries = await ward.readingQueries
        XCTAssertEqual(queries, [])
    }
}
