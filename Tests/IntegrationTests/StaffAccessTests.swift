import AnxinCore
import AnxinTesting
import Foundation
import Store
import XCTest

/// Accounts and access against the real daemon: with anonymous access off, only /healthz answers
/// without credentials; board sign-in by cookie, API by bearer token; roles enforced; every
/// action audited with the signed-in identity.
final class StaffAccessEndToEndTests: XCTestCase {
    func testSignedInStaffActAsThemselvesAndEveryoneElseIsRefused() async throws {
        let h = try await GatewayHarness(httpExtra: ", anonymous_role: none, password_cost: 4")
        defer { Task { await h.shutdown() } }
        let pw = h.dir.appendingPathComponent("pw").path
        try "correct horse 12349\n".write(toFile: pw, atomically: true, encoding: .utf8)
        for (user, name, role) in [("wang", "王芳", "oncall"), ("zhao", "赵敏", "viewer")] {
            let r = try runAnxin([
                "staff", "add", "--config", h.configPath, "--user", user, "--name", name, "--role", role,
                "--password-file", pw,
            ])
            XCTAssertEqual(r.status, 0, r.err)
        }
        let token = try runAnxin(["staff", "token", "--config", h.configPath, "--user", "wang", "--label", "app"])
        XCTAssertEqual(token.status, 0, token.err)
        let bearer = token.out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertGreaterThan(bearer.count, 30)
        try await h.start()
        let base = "http://127.0.0.1:\(h.httpPort)"

        // Nothing but /healthz (and the board's static files) without credentials.
        func status(_ method: String, _ path: String, json: String? = nil, headers: [String: String] = [:])
            async throws -> Int
        {
            try await HTTP.request(method, base + path, json: json, headers: headers).status
        }
        let health = try await status("GET", "/healthz")
        XCTAssertEqual(health, 200)
        for path in ["/api/v1/alerts", "/api/v1/residents/R-0001", "/api/v1/devices", "/api/v1/outbox", "/metrics"] {
            let s = try await status("GET", path)
            XCTAssertEqual(s, 401, path)
        }
        let forged = try await status("GET", "/api/v1/alerts", headers: ["Authorization": "Bearer nope"])
        XCTAssertEqual(forged, 401)

        // Board sign-in: a wrong password is refused, the right one gives a session cookie.
        let bad = try await HTTP.request("POST", base + "/api/v1/login", json: #"{"user":"wang","password":"x"}"#)
        XCTAssertEqual(bad.status, 401)
        let login = try await HTTP.request(
            "POST", base + "/api/v1/login", json: #"{"user":"wang","password":"correct horse 12349"}"#)
        XCTAssertEqual(login.status, 200)
        let setCookie = login.headers["set-cookie"] ?? ""
        XCTAssertTrue(setCookie.contains("HttpOnly"), setCookie)
        XCTAssertTrue(setCookie.contains("SameSite=Strict"), setCookie)
        let cookie = String(setCookie.split(separator: ";")[0])
        let me = try await HTTP.request("GET", base + "/api/v1/me", headers: ["Cookie": cookie])
        XCTAssertEqual(me.status, 200)
        XCTAssertTrue(String(decoding: me.body, as: UTF8.self).contains("王芳"))

        // An SOS to act on.
        try h.publish("imede-sos")
        _ = try await h.hotline.waitFor(count: 1)
        var alertID = ""
        let found = try await h.eventually {
            let r = try await HTTP.request("GET", base + "/api/v1/alerts?state=open", headers: ["Cookie": cookie])
            let list = (try JSONSerialization.jsonObject(with: r.body) as? [String: Any])?["alerts"] as? [[String: Any]]
            alertID = list?.first?["id"] as? String ?? ""
            return !alertID.isEmpty
        }
        XCTAssertTrue(found)

        // A viewer may look but not act.
        let viewer = try await HTTP.request(
            "POST", base + "/api/v1/login", json: #"{"user":"zhao","password":"correct horse 12349"}"#)
        let viewerCookie = String((viewer.headers["set-cookie"] ?? "").split(separator: ";")[0])
        let viewerRead = try await status("GET", "/api/v1/alerts", headers: ["Cookie": viewerCookie])
        XCTAssertEqual(viewerRead, 200)
        let viewerAck = try await status(
            "POST", "/api/v1/alerts/\(alertID)/ack", json: "{}", headers: ["Cookie": viewerCookie])
        XCTAssertEqual(viewerAck, 403)

        // The on-call token acknowledges; the record names the signed-in person, not the body's "by".
        let ack = try await HTTP.request(
            "POST", base + "/api/v1/alerts/\(alertID)/ack", json: #"{"by":"someone else","note":"到场"}"#,
            headers: ["Authorization": "Bearer " + bearer])
        XCTAssertEqual(ack.status, 200, String(decoding: ack.body, as: UTF8.self))
        let alert = (try JSONSerialization.jsonObject(with: ack.body) as? [String: Any])?["alert"] as? [String: Any]
        XCTAssertEqual(alert?["acknowledged_by"] as? String, "王芳")

        // Signed out, the cookie no longer works.
        let out = try await status("POST", "/api/v1/logout", json: "{}", headers: ["Cookie": cookie])
        XCTAssertEqual(out, 204)
        let after = try await status("GET", "/api/v1/me", headers: ["Cookie": cookie])
        XCTAssertEqual(after, 401)

        // The audit log holds the failed login, the refused and the done acknowledgement.
        let store = try Store(path: h.dir.appendingPathComponent("anxin.db").path, readOnly: true)
        let audit = try store.auditRecords(limit: 100)
        let lines = audit.map { "\($0.actor) \($0.action) \($0.outcome)" }
        XCTAssertTrue(audit.contains { $0.action == "login_failed" && $0.actor == "wang" }, "\(lines)")
        XCTAssertTrue(audit.contains { $0.actor == "zhao" && $0.outcome == "denied" }, "\(lines)")
        XCTAssertTrue(
            audit.contains { $0.actor == "wang" && $0.action == "acknowledge" && $0.outcome == "ok" }, "\(lines)")
        XCTAssertFalse(lines.joined().contains("correct horse"))
    }

    func testCheckRefusesAnonymousAccessOffLoopback() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anxin-acc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cfg = dir.appendingPathComponent("anxin.yaml").path
        try "http: {listen: \"0.0.0.0:8349\", anonymous_role: oncall}\n".write(
            toFile: cfg, atomically: true, encoding: .utf8)
        let r = try runAnxin(["check", "--config", cfg])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue((r.out + r.err).contains("anonymous_role must be none"), r.out + r.err)
        try "http: {listen: \"0.0.0.0:8349\"}\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        XCTAssertEqual(try runAnxin(["check", "--config", cfg]).status, 0)
    }
}
