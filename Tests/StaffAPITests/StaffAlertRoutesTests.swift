import AnxinCore
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import StaffAPI

final class StaffAlertRoutesTests: XCTestCase {
    func testAlertListIsNewestFirstWithExactFields() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let r = try await client.execute(uri: "/api/v1/alerts", method: .get)
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8")
            XCTAssertEqual(
                r.text,
                #"{"alerts":["# + [Ward.sosJSON, Ward.heartRateJSON, Ward.outageJSON].joined(separator: ",") + "]}\n")
        }
        let queries = await ward.alertQueries
        XCTAssertEqual(queries, [.init(state: nil, limit: 100, before: nil)])
    }

    func testAlertListPassesStateLimitAndBefore() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let open = try await client.execute(uri: "/api/v1/alerts?state=open", method: .get)
            XCTAssertEqual(open.text, #"{"alerts":["# + Ward.sosJSON + "]}\n")
            let page = try await client.execute(uri: "/api/v1/alerts?limit=1&before=A-0003", method: .get)
            XCTAssertEqual(page.text, #"{"alerts":["# + Ward.heartRateJSON + "]}\n")
            let none = try await client.execute(
                uri: "/api/v1/alerts?state=resolved&limit=1000&before=A-0001", method: .get)
            XCTAssertEqual(none.text, #"{"alerts":[]}"# + "\n")
        }
        let queries = await ward.alertQueries
        XCTAssertEqual(
            queries,
            [
                .init(state: "open", limit: 100, before: nil), .init(state: nil, limit: 1, before: "A-0003"),
                .init(state: "resolved", limit: 1000, before: "A-0001"),
            ])
    }

    func testAlertListRejectsBadStateLimitAndBefore() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let state = try await client.execute(uri: "/api/v1/alerts?state=closed", method: .get)
            assertError(state, .badRequest, "state must be open, acknowledged, resolved or unresolved")
            for limit in ["0", "1001", "ten", "-1", ""] {
                let r = try await client.execute(uri: "/api/v1/alerts?limit=\(limit)", method: .get)
                assertError(r, .badRequest, "limit must be 1 to 1000")
            }
            let before = try await client.execute(uri: "/api/v1/alerts?before=", method: .get)
            assertError(before, .badRequest, "before must be an alert id")
        }
        let queries = await ward.alertQueries
        XCTAssertEqual(queries, [])
    }

    func testAcknowledgeReturnsTheAcknowledgedAlertAndRecordsStaffAndNote() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let r = try await client.execute(
                uri: "/api/v1/alerts/A-0003/ack", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"by": "N-07", "note": "已到房间"}"#))
            XCTAssertEqual(r.status, .ok)
            let expected = Ward.sosJSON
                .replacingOccurrences(of: #""state":"open""#, with: #""state":"acknowledged""#)
                .replacingOccurrences(
                    of: #""updated_at":"2026-11-22T00:16:12Z","acknowledged_at":null,"acknowledged_by":null"#,
                    with:
                        #""updated_at":"2026-11-22T00:20:00Z","acknowledged_at":"2026-11-22T00:20:00Z","acknowledged_by":"N-07""#
                )
            XCTAssertEqual(r.text, #"{"alert":"# + expected + "}\n")
        }
        let actions = await ward.actions
        XCTAssertEqual(
            actions,
            [
                .init(
                    verb: "ack", alertID: "A-0003", by: "N-07", note: "已到房间",
                    actor: .anonymous(role: .oncall, name: "N-07"))
            ])
    }

    func testResolveWithoutNoteReturnsTheResolvedAlert() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let r = try await client.execute(
                uri: "/api/v1/alerts/A-0002/resolve", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"by":"N-02","note":null}"#))
            XCTAssertEqual(r.status, .ok)
            let expected = Ward.heartRateJSON
                .replacingOccurrences(of: #""state":"acknowledged""#, with: #""state":"resolved""#)
                .replacingOccurrences(
                    of: #""updated_at":"2026-11-22T00:12:30Z""#, with: #""updated_at":"2026-11-22T00:20:00Z""#
                )
                .replacingOccurrences(of: #""resolved_at":null"#, with: #""resolved_at":"2026-11-22T00:20:00Z""#)
            XCTAssertEqual(r.text, #"{"alert":"# + expected + "}\n")
        }
        let actions = await ward.actions
        XCTAssertEqual(
            actions,
            [
                .init(
                    verb: "resolve", alertID: "A-0002", by: "N-02", note: nil,
                    actor: .anonymous(role: .oncall, name: "N-02"))
            ])
    }

    func testUnknownAlertIs404AndResolvedAlertIs409() async throws {
        let ward = WardDataSource()
        try await staffApp(ward).test(.router) { client in
            let body = jsonBody(#"{"by":"N-07"}"#)
            for verb in ["ack", "resolve"] {
                let missing = try await client.execute(
                    uri: "/api/v1/alerts/A-9999/\(verb)", method: .post, headers: jsonHeaders, body: body)
                assertError(missing, .notFound, "unknown alert")
                let done = try await client.execute(
                    uri: "/api/v1/alerts/A-0001/\(verb)", method: .post, headers: jsonHeaders, body: body)
                assertError(done, .conflict, "alert already resolved")
            }
        }
        let actions = await ward.actions
        XCTAssertEqual(actions.map(\.alertID), ["A-9999", "A-0001", "A-9999", "A-0001"])
    }

    func testBadActionBodiesAre400AndReachNoAlert() async throws {
        let ward = WardDataSource()
        let cases: [(String?, String)] = [
            (nil, "body must be a JSON object"),
            ("", "body must be a JSON object"),
            ("{by: N-07}", "body must be a JSON object"),
            (#"["N-07"]"#, "body must be a JSON object"),
            (#"{"note":"x"}"#, #""by" must name the staff member"#),
            (#"{"by":7}"#, #""by" must name the staff member"#),
            (#"{"by":"  "}"#, #""by" must name the staff member"#),
            (#"{"by":"N-07","note":5}"#, #""note" must be a string"#),
        ]
        try await staffApp(ward).test(.router) { client in
            for (body, message) in cases {
                let r = try await client.execute(
                    uri: "/api/v1/alerts/A-0003/ack", method: .post, headers: jsonHeaders, body: body.map(jsonBody))
                assertError(r, .badRequest, message)
            }
        }
        let actions = await ward.actions
        XCTAssertEqual(actions, [])
    }

    func testOversizedBodyIs413() async throws {
        let ward = WardDataSource()
        let note = String(repeating: "x", count: 65 * 1024)
        try await staffApp(ward).test(.router) { client in
            let r = try await client.execute(
                uri: "/api/v1/alerts/A-0003/resolve", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"by":"N-07","note":""# + note + #""}"#))
            assertError(r, .contentTooLarge, "content too large")
        }
        let actions = await ward.actions
        XCTAssertEqual(actions, [])
    }
}
