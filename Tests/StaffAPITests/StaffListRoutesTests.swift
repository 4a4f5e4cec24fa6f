import AnxinCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import StaffAPI

final class StaffListRoutesTests: XCTestCase {
    func testAlertDetailHasHistoryAndDeliveries() async throws {
        try await staffApp(WardDataSource()).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/alerts/A-0003", method: .get)
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(
                r.text,
                #"{"alert":"# + Ward.sosJSON + #","history":["#
                    + #"{"at":"2026-11-22T00:16:12Z","action":"opened","by":"rules","note":null,"detail":null},"#
                    + #"{"at":"2026-11-22T00:16:13Z","action":"delivered","by":"hotline","note":null,"#
                    + #""detail":"{\"ticket\":\"T-12349-88\"}"}],"deliveries":["#
                    + #"{"id":"INC-A-0003/ack","channel":"hotline","kind":"update","state":"rejected","attempts":1,"#
                    + #""last_status":422,"last_error":"hotline refused the update (422)","ticket":null,"#
                    + #""next_attempt_at":"2026-11-22T00:18:00Z","delivered_at":null},"#
                    + #"{"id":"INC-A-0003","channel":"hotline","kind":"incident","state":"delivered","attempts":1,"#
                    + #""last_status":201,"last_error":null,"ticket":"T-12349-88","#
                    + #""next_attempt_at":"2026-11-22T00:16:12Z","delivered_at":"2026-11-22T00:16:13Z"}]}"# + "\n")
            let missing = try await client.execute(uri: "/api/v1/alerts/A-9999", method: .get)
            assertError(missing, .notFound, "unknown alert")
        }
    }

    func testUnresolvedIsAnAlertState() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/alerts?state=unresolved", method: .get)
            XCTAssertEqual(r.status, .ok)
        }
        let queries = await ward.alertQueries
        XCTAssertEqual(queries, [.init(state: "unresolved", limit: 100, before: nil)])
    }

    func testDevicesWithAndWithoutFilter() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let all = try await client.execute(uri: "/api/v1/devices", method: .get)
            XCTAssertEqual(all.text, #"{"devices":["# + Ward.devicesJSON.joined(separator: ",") + "]}\n")
            let silent = try await client.execute(uri: "/api/v1/devices?filter=silent", method: .get)
            XCTAssertEqual(silent.text, #"{"devices":["# + Ward.devicesJSON[1] + "]}\n")
            let low = try await client.execute(uri: "/api/v1/devices?filter=low_battery", method: .get)
            XCTAssertEqual(low.text, #"{"devices":["# + Ward.devicesJSON[0] + "]}\n")
            let bad = try await client.execute(uri: "/api/v1/devices?filter=broken", method: .get)
            assertError(bad, .badRequest, "filter must be silent, low_battery or unregistered")
        }
        let filters = await ward.deviceFilters
        XCTAssertEqual(filters, [nil, .silent, .lowBattery])
    }

    func testOutboxByStateAndLimit() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let all = try await client.execute(uri: "/api/v1/outbox", method: .get)
            XCTAssertEqual(all.text, #"{"items":["# + Ward.rejectedItemJSON + "," + Ward.deliveredItemJSON + "]}\n")
            let rejected = try await client.execute(uri: "/api/v1/outbox?state=rejected&limit=5", method: .get)
            XCTAssertEqual(rejected.text, #"{"items":["# + Ward.rejectedItemJSON + "]}\n")
            let bad = try await client.execute(uri: "/api/v1/outbox?state=retrying", method: .get)
            assertError(bad, .badRequest, "state must be pending, rejected or delivered")
        }
        let queries = await ward.outboxQueries
        XCTAssertEqual(queries, ["all/100", "rejected/5"])
    }

    func testSilencesInForce() async throws {
        try await staffApp(WardDataSource()).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/silences", method: .get)
            XCTAssertEqual(r.text, #"{"silences":["# + Ward.silenceJSON + "]}\n")
        }
    }

    func testBoardFilesAreServedWithStrictHeadersAndTheRootRedirects() async throws {
        try await staffApp(WardDataSource(), anonymous: .none).test(.router) { client in
            let root = try await client.execute(uri: "/", method: .get)
            XCTAssertEqual(root.status, .found)
            XCTAssertEqual(root.headers[.location], "/board/")
            let bare = try await client.execute(uri: "/board", method: .get)
            XCTAssertEqual(bare.status, .found)
            XCTAssertEqual(bare.headers[.location], "/board/")
            for uri in ["/board/", "/board/index.html"] {
                let r = try await client.execute(uri: uri, method: .get)
                XCTAssertEqual(r.status, .ok, uri)
                XCTAssertEqual(r.headers[.contentType], "text/html; charset=utf-8")
                XCTAssertEqual(r.headers[.cacheControl], "no-cache")
                XCTAssertEqual(r.headers[HTTPField.Name("X-Content-Type-Options")!], "nosniff")
                XCTAssertEqual(
                    r.headers[.contentSecurityPolicy],
                    "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; "
                        + "img-src 'self' data:; media-src 'self' data: blob:")
                XCTAssertTrue(r.text.contains("<html"), r.text)
            }
            let missing = try await client.execute(uri: "/board/nope.js", method: .get)
            assertError(missing, .notFound, "not found")
        }
    }
}
