import AnxinCore
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import StaffAPI

final class StaffAccessTests: XCTestCase {
    /// Every API path with a body that would be valid for it.
    static let apiRequests: [(HTTPRequest.Method, String, String?)] = [
        (.get, "/api/v1/me", nil),
        (.get, "/metrics", nil),
        (.get, "/api/v1/alerts", nil),
        (.get, "/api/v1/alerts/A-0003", nil),
        (.post, "/api/v1/alerts/A-0003/ack", #"{"by":"N-07"}"#),
        (.post, "/api/v1/alerts/A-0003/resolve", #"{"by":"N-07"}"#),
        (.post, "/api/v1/alerts/A-0003/cancel", #"{"by":"N-07"}"#),
        (.get, "/api/v1/residents/R-0001", nil),
        (.get, "/api/v1/residents/R-0001/readings", nil),
        (.get, "/api/v1/devices", nil),
        (.get, "/api/v1/outbox", nil),
        (.post, "/api/v1/outbox/INC-A-0003%2Fack/requeue", nil),
        (.get, "/api/v1/silences", nil),
        (.post, "/api/v1/silences", #"{"scope":"device","target":"x","minutes":5,"reason":"充电"}"#),
        (.delete, "/api/v1/silences/1", nil),
        (.get, "/api/v1/events", nil),
        (.get, "/api/v1/audit", nil),
        (.get, "/api/v1/beds", nil),
        (.get, "/board/../api/v1/alerts", nil),
    ]

    func testWithoutCredentialsEveryAPIPathIs401WhileHealthzBoardAndLoginAnswer() async throws {
        let ward = WardDataSource()
        let team = try await StaffTeam()
        try await team.app(ward).test(.router) { client in
            for (method, path, body) in Self.apiRequests {
                let r = try await client.execute(
                    uri: path, method: method, headers: jsonHeaders, body: body.map(jsonBody))
                XCTAssertEqual(r.status, .unauthorized, "\(method) \(path)")
                XCTAssertEqual(r.text, #"{"error":"sign in required"}"# + "\n", "\(method) \(path)")
            }
            let health = try await client.execute(uri: "/healthz", method: .get)
            XCTAssertEqual(health.status, .ok)
            let board = try await client.execute(uri: "/board/", method: .get)
            XCTAssertEqual(board.status, .ok)
            let root = try await client.execute(uri: "/", method: .get)
            XCTAssertEqual(root.status, .found)
            XCTAssertEqual(root.headers[.location], "/board/")
            let login = try await client.execute(
                uri: "/api/v1/login", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"user":"li","password":"correct horse 7"}"#))
            XCTAssertEqual(login.status, .ok)
        }
        let actions = await ward.actions
        let queries = await ward.alertQueries
        XCTAssertEqual(actions, [])
        XCTAssertEqual(queries, [])
    }

    func testViewerReadsButCannotAcknowledgeOrRequeueAndTheRefusalIsAudited() async throws {
        let ward = WardDataSource()
        let team = try await StaffTeam()
        let viewer = StaffTeam.session(team.viewerSession)
        try await team.app(ward).test(.router) { client in
            let list = try await client.execute(uri: "/api/v1/alerts", method: .get, headers: viewer)
            XCTAssertEqual(list.status, .ok)
            let ack = try await client.execute(
                uri: "/api/v1/alerts/A-0003/ack", method: .post, headers: viewer, body: jsonBody("{}"))
            assertError(ack, .forbidden, "your role does not allow this")
            let requeue = try await client.execute(
                uri: "/api/v1/outbox/INC-A-0003%2Fack/requeue", method: .post, headers: viewer)
            assertError(requeue, .forbidden, "your role does not allow this")
            let audit = try await client.execute(uri: "/api/v1/audit", method: .get, headers: viewer)
            assertError(audit, .forbidden, "your role does not allow this")
        }
        let actions = await ward.actions
        XCTAssertEqual(actions, [])
        XCTAssertEqual(
            try team.auditLines(), ["acknowledge denied wang A-0003", "requeue denied wang INC-A-0003/ack"])
    }

    func testOncallAcknowledgesButCannotRequeueAndAdminCan() async throws {
        let ward = WardDataSource()
        let team = try await StaffTeam()
        try await team.app(ward).test(.router) { client in
            let ack = try await client.execute(
                uri: "/api/v1/alerts/A-0003/ack", method: .post, headers: StaffTeam.session(team.oncallSession),
                body: jsonBody(#"{"note":"已到房间"}"#))
            XCTAssertEqual(ack.status, .ok)
            XCTAssertTrue(ack.text.contains(#""acknowledged_by":"李护士""#), ack.text)
            let refused = try await client.execute(
                uri: "/api/v1/outbox/INC-A-0003%2Fack/requeue", method: .post,
                headers: StaffTeam.session(team.oncallSession))
            assertError(refused, .forbidden, "your role does not allow this")
            let requeued = try await client.execute(
                uri: "/api/v1/outbox/INC-A-0003%2Fack/requeue", method: .post,
                headers: StaffTeam.session(team.adminSession))
            XCTAssertEqual(requeued.status, .ok)
            XCTAssertEqual(
                requeued.text,
                #"{"item":"#
                    + Ward.rejectedItemJSON.replacingOccurrences(
                        of: #""state":"rejected""#, with: #""state":"pending""#
                    )
                    .replacingOccurrences(
                        of: #""next_attempt_at":"2026-11-22T00:18:00Z""#,
                        with: #""next_attempt_at":"2026-11-22T00:20:00Z""#) + "}\n")
            let audit = try await client.execute(
                uri: "/api/v1/audit?limit=2", method: .get, headers: StaffTeam.session(team.adminSession))
            XCTAssertEqual(audit.status, .ok)
            XCTAssertTrue(audit.text.hasPrefix(#"{"entries":[{"id":"#), audit.text)
            XCTAssertTrue(
                audit.text.contains(
                    #""at":"2026-11-22T00:30:00Z","actor":"zhao","role":"admin","action":"requeue","#
                        + #""target":"INC-A-0003/ack","note":null,"outcome":"ok"}"#), audit.text)
        }
        let actions = await ward.actions
        XCTAssertEqual(actions.map(\.verb), ["ack", "requeue"])
        XCTAssertEqual(actions.map(\.actor), [StaffTeam.oncall, StaffTeam.admin])
        XCTAssertEqual(
            try team.auditLines(),
            ["acknowledge ok li A-0003", "requeue denied li INC-A-0003/ack", "requeue ok zhao INC-A-0003/ack"])
    }

    func testExpiredSessionIsRefusedAndItsCookieCleared() async throws {
        let ward = WardDataSource()
        let team = try await StaffTeam()
        let headers = StaffTeam.session(team.oncallSession)
        try await team.app(ward).test(.router) { client in
            team.clock.advance(ms: 12 * 3600 * 1000 - 1)
            let before = try await client.execute(uri: "/api/v1/me", method: .get, headers: headers)
            XCTAssertEqual(before.text, #"{"user":"li","name":"李护士","role":"oncall","anonymous":false}"# + "\n")
            team.clock.advance(ms: 1)
            let after = try await client.execute(uri: "/api/v1/alerts", method: .get, headers: headers)
            assertError(after, .unauthorized, "session expired; sign in again")
            XCTAssertEqual(
                after.headers[.setCookie], "anxin_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
            let unknown = try await client.execute(
                uri: "/api/v1/alerts", method: .get, headers: StaffTeam.session("forged-session-id"))
            assertError(unknown, .unauthorized, "session expired; sign in again")
            let board = try await client.execute(uri: "/board/", method: .get, headers: headers)
            XCTAssertEqual(board.status, .ok, "a dead cookie does not stop the board's files")
        }
        let queries = await ward.alertQueries
        XCTAssertEqual(queries, [])
    }

    func testExpiredSessionIsRefusedEvenWhereAnonymousCallersMayRead() async throws {
        let team = try await StaffTeam()
        try await team.app(WardDataSource(), anonymous: .oncall).test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/v1/me", method: .get)
            XCTAssertEqual(
                anonymous.text, #"{"user":"anonymous","name":"anonymous","role":"oncall","anonymous":true}"# + "\n")
            team.clock.advance(ms: 12 * 3600 * 1000)
            let expired = try await client.execute(
                uri: "/api/v1/me", method: .get, headers: StaffTeam.session(team.viewerSession))
            XCTAssertEqual(expired.status, .unauthorized)
        }
    }

    func testBearerTokenWorksUntilRevokedOrExpired() async throws {
        let team = try await StaffTeam()
        let token = try team.accounts.issueToken(user: "zhao", label: "prometheus", expires: nil)
        XCTAssertTrue(token.hasPrefix("anx_"))
        XCTAssertEqual(token.count, 47)
        let shortLived = try team.accounts.issueToken(
            user: "wang", label: "tablet", expires: Ward.at("2026-11-22T01:00:00Z"))
        try await team.app(WardDataSource()).test(.router) { client in
            let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: StaffTeam.bearer(token))
            XCTAssertEqual(me.text, #"{"user":"zhao","name":"赵主任","role":"admin","anonymous":false}"# + "\n")
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: StaffTeam.bearer(token))
            XCTAssertEqual(metrics.status, .ok)
            let tablet = try await client.execute(
                uri: "/api/v1/alerts", method: .get, headers: StaffTeam.bearer(shortLived))
            XCTAssertEqual(tablet.status, .ok)

            XCTAssertTrue(try team.accounts.revokeToken(token))
            let revoked = try await client.execute(uri: "/api/v1/me", method: .get, headers: StaffTeam.bearer(token))
            assertError(revoked, .unauthorized, "sign in required")
            XCTAssertEqual(revoked.headers[.wwwAuthenticate], "Bearer")

            team.clock.set(Ward.at("2026-11-22T01:00:00Z"))
            let expired = try await client.execute(
                uri: "/api/v1/alerts", method: .get, headers: StaffTeam.bearer(shortLived))
            assertError(expired, .unauthorized, "sign in required")
            let basic = try await client.execute(
                uri: "/api/v1/alerts", method: .get, headers: [.authorization: "Basic emhhbzpwdw=="])
            assertError(basic, .unauthorized, "sign in required")
        }
    }

    func testLoginSetsAStrictHttpOnlyCookieAndWrongPasswordIs401AndAudited() async throws {
        let team = try await StaffTeam()
        try await team.app(WardDataSource()).test(.router) { client in
            let wrong = try await client.execute(
                uri: "/api/v1/login", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"user":"li","password":"guess-1234"}"#))
            assertError(wrong, .unauthorized, "wrong username or password")
            XCTAssertNil(wrong.headers[.setCookie])
            let nobody = try await client.execute(
                uri: "/api/v1/login", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"user":"nobody","password":"guess-1234"}"#))
            assertError(nobody, .unauthorized, "wrong username or password")

            let ok = try await client.execute(
                uri: "/api/v1/login", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"user":"li","password":"correct horse 7"}"#))
            XCTAssertEqual(ok.status, .ok)
            XCTAssertEqual(ok.text, #"{"user":"li","name":"李护士","role":"oncall"}"# + "\n")
            let cookie = try XCTUnwrap(ok.headers[.setCookie])
            let parts = cookie.components(separatedBy: "; ")
            XCTAssertEqual(parts.count, 5, cookie)
            XCTAssertTrue(parts[0].hasPrefix("anxin_session="))
            XCTAssertEqual(parts[0].count, "anxin_session=".count + 43)
            XCTAssertEqual(Array(parts[1...]), ["Path=/", "Max-Age=43200", "HttpOnly", "SameSite=Strict"])
            let session = String(parts[0].dropFirst("anxin_session=".count))
            let me = try await client.execute(
                uri: "/api/v1/me", method: .get, headers: [.cookie: "theme=dark; anxin_session=\(session)"])
            XCTAssertEqual(me.status, .ok)

            let malformed = try await client.execute(
                uri: "/api/v1/login", method: .post, headers: jsonHeaders, body: jsonBody(#"{"user":"li"}"#))
            assertError(malformed, .badRequest, #""user" and "password" must be strings"#)
        }
        let rows = try team.accounts.auditLog(limit: 100).reversed().suffix(3)
        XCTAssertEqual(
            rows.map { "\($0.action) \($0.outcome) \($0.actor) \($0.note ?? "-")" },
            ["login_failed denied li bad password", "login_failed denied nobody unknown user", "login ok li -"])
        let everything = try team.accounts.auditLog(limit: 100).map(\.staffJSONText).joined()
        XCTAssertFalse(everything.contains("guess-1234"))
        XCTAssertFalse(everything.contains("correct horse"))
    }

    func testFiveFailuresLockTheUsernameForAMinute() async throws {
        let team = try await StaffTeam()
        try await team.app(WardDataSource()).test(.router) { client in
            func login(_ password: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/login", method: .post, headers: jsonHeaders,
                    body: jsonBody(#"{"user":"li","password":""# + password + #""}"#))
            }
            for _ in 0..<5 {
                let r = try await login("guess-1234")
                XCTAssertEqual(r.status, .unauthorized)
            }
            let locked = try await login(StaffTeam.password)
            assertError(locked, .tooManyRequests, "too many sign-in attempts; try again later")
            XCTAssertEqual(locked.headers[.retryAfter], "60")
            team.clock.advance(ms: 59_000)
            let still = try await login(StaffTeam.password)
            XCTAssertEqual(still.status, .tooManyRequests)
            XCTAssertEqual(still.headers[.retryAfter], "1")
            team.clock.advance(ms: 1_000)
            let open = try await login(StaffTeam.password)
            XCTAssertEqual(open.status, .ok)
        }
        let lines = try team.auditLines(includingLogins: true).suffix(8)
        XCTAssertEqual(
            Array(lines),
            Array(repeating: "login_failed denied li li", count: 5)
                + ["login_failed throttled li li", "login_failed throttled li li", "login ok li -"])
    }

    func testPostsWithANonJSONBodyAre415() async throws {
        let ward = WardDataSource()
        let team = try await StaffTeam()
        let cookie = "anxin_session=\(team.oncallSession)"
        try await team.app(ward).test(.router) { client in
            let cases: [HTTPFields] = [
                [.cookie: cookie, .contentType: "text/plain"],
                [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                [.cookie: cookie],
            ]
            for headers in cases {
                let r = try await client.execute(
                    uri: "/api/v1/alerts/A-0003/ack", method: .post, headers: headers,
                    body: jsonBody(#"{"note":"x"}"#))
                assertError(r, .unsupportedMediaType, "request body must be application/json")
            }
            let form = try await client.execute(
                uri: "/api/v1/login", method: .post, headers: [.contentType: "text/plain"],
                body: jsonBody(#"{"user":"li","password":"correct horse 7"}"#))
            XCTAssertEqual(form.status, .unsupportedMediaType)
            let charset = try await client.execute(
                uri: "/api/v1/alerts/A-0003/ack", method: .post,
                headers: [.cookie: cookie, .contentType: "application/json; charset=utf-8"],
                body: jsonBody(#"{"note":"x"}"#))
            XCTAssertEqual(charset.status, .ok)
            let emptyRequeue = try await client.execute(
                uri: "/api/v1/outbox/INC-A-0003/requeue", method: .post,
                headers: [.cookie: "anxin_session=\(team.adminSession)"])
            XCTAssertEqual(emptyRequeue.status, .conflict, "a POST without a body needs no content type")
        }
        let actions = await ward.actions
        XCTAssertEqual(actions.map(\.verb), ["ack", "requeue"])
    }

    func testLogoutEndsTheSessionAndClearsTheCookie() async throws {
        let team = try await StaffTeam()
        let headers = StaffTeam.session(team.viewerSession)
        try await team.app(WardDataSource()).test(.router) { client in
            let out = try await client.execute(uri: "/api/v1/logout", method: .post, headers: headers)
            XCTAssertEqual(out.status, .noContent)
            XCTAssertEqual(out.headers[.setCookie], "anxin_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
            let after = try await client.execute(uri: "/api/v1/me", method: .get, headers: headers)
            XCTAssertEqual(after.status, .unauthorized)
            let again = try await client.execute(uri: "/api/v1/logout", method: .post, headers: headers)
            XCTAssertEqual(again.status, .noContent)
        }
        XCTAssertEqual(try team.auditLines().filter { $0.hasPrefix("logout") }, ["logout ok wang -"])
    }

    func testAnonymousViewerReadsButCannotAct() async throws {
        let ward = WardDataSource()
        let team = try await StaffTeam()
        try await team.app(ward, anonymous: .viewer).test(.router) { client in
            let list = try await client.execute(uri: "/api/v1/alerts", method: .get)
            XCTAssertEqual(list.status, .ok)
            let ack = try await client.execute(
                uri: "/api/v1/alerts/A-0003/ack", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"by":"N-07"}"#))
            assertError(ack, .forbidden, "your role does not allow this")
        }
        XCTAssertEqual(try team.auditLines(), ["acknowledge denied anonymous A-0003"])
    }

    func testPublicPathsAreExactlyHealthzTheBoardAndSignIn() {
        for path in ["/healthz", "/", "/board", "/board/", "/board/app.js", "/api/v1/login", "/api/v1/logout"] {
            XCTAssertTrue(StaffAuthMiddleware.isPublic(path), path)
        }
        for path in ["/metrics", "/api/v1/me", "/board/../api/v1/alerts", "/board/x/y", "/board/.hidden", "/healthz/x"]
        {
            XCTAssertFalse(StaffAuthMiddleware.isPublic(path), path)
        }
    }
}
