import AnxinCore
import Foundation
import Store
import XCTest

@testable import StaffAPI

final class StaffAccountsTests: XCTestCase {
    func testPasswordsAreStoredOnlyAsBcryptHashes() async throws {
        let accounts = try makeAccounts()
        try await accounts.addAccount(user: "li", name: "李护士", role: .oncall, password: "correct horse 7")
        let stored = try XCTUnwrap(try accounts.store.staffAccount(username: "li"))
        let hash = try XCTUnwrap(stored.passwordHash)
        XCTAssertTrue(hash.hasPrefix("$2b$04$"), hash)
        XCTAssertEqual(hash.count, 60)
        XCTAssertFalse(hash.contains("correct horse"))
        XCTAssertEqual(stored.role, "oncall")
        XCTAssertEqual(stored.displayName, "李护士")
    }

    func testAccountRulesAreChecked() async throws {
        let accounts = try makeAccounts()
        try await accounts.addAccount(user: "li", name: "李护士", role: .oncall, password: "correct horse 7")
        let cases: [(String, String, String?, StaffAccountError)] = [
            ("li", "李护士", "correct horse 7", .accountExists),
            ("li ming", "李明", "correct horse 7", .invalidUsername),
            ("", "李明", "correct horse 7", .invalidUsername),
            ("liming", " ", "correct horse 7", .invalidDisplayName),
            ("liming", "李明", "short", .invalidPassword),
            ("liming", "李明", String(repeating: "x", count: 73), .invalidPassword),
        ]
        for (user, name, password, expected) in cases {
            do {
                try await accounts.addAccount(user: user, name: name, role: .viewer, password: password)
                XCTFail("accepted \(user)")
            } catch let error as StaffAccountError {
                XCTAssertEqual(error, expected, user)
            }
        }
        XCTAssertEqual(try accounts.accounts().map(\.username), ["li"])
    }

    func testTokensAreStoredAsSHA256AndShownOnce() throws {
        let accounts = try makeAccounts()
        try accounts.store.createStaffAccount(
            StaffAccountRecord(username: "zhao", displayName: "赵主任", role: "admin", createdAt: 0))
        let token = try accounts.issueToken(user: "zhao", label: "prometheus", expires: nil)
        let stored = try accounts.tokens(user: "zhao")
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored[0].tokenHash, StaffSecret.hash(token))
        XCTAssertEqual(stored[0].label, "prometheus")
        XCTAssertEqual(try accounts.identity(token: token), StaffIdentity(user: "zhao", name: "赵主任", role: .admin))
        XCTAssertNil(try accounts.identity(token: token + "x"))
        XCTAssertThrowsError(try accounts.issueToken(user: "nobody", label: "x", expires: nil)) {
            XCTAssertEqual($0 as? StaffAccountError, .unknownAccount)
        }
        XCTAssertEqual(try accounts.revokeTokens(user: "zhao", label: "other"), 0)
        XCTAssertEqual(try accounts.revokeTokens(user: "zhao", label: "prometheus"), 1)
        XCTAssertNil(try accounts.identity(token: token))
    }

    func testSecretsHashWithSHA256() {
        let abc = StaffSecret.hash("abc").map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(abc, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(StaffSecret.base64URL([0xfb, 0xff, 0xfe]), "-__-")
        XCTAssertNotEqual(StaffSecret.sessionID(), StaffSecret.sessionID())
    }

    func testUnknownAndDisabledUsersAreRefusedLikeAWrongPassword() async throws {
        let accounts = try makeAccounts()
        try await accounts.addAccount(user: "li", name: "李护士", role: .oncall, password: "correct horse 7")
        try await accounts.addAccount(user: "bot", name: "值班机器人", role: .viewer, password: nil)
        let unknown = try await accounts.login(user: "nobody", password: "correct horse 7")
        XCTAssertEqual(unknown, .refused)
        let tokenOnly = try await accounts.login(user: "bot", password: "")
        XCTAssertEqual(tokenOnly, .refused)
        guard case .signedIn(let session, let who) = try await accounts.login(user: "li", password: "correct horse 7")
        else { return XCTFail("li could not sign in") }
        XCTAssertEqual(who, StaffIdentity(user: "li", name: "李护士", role: .oncall))
        XCTAssertEqual(session.count, 43)
        let token = try accounts.issueToken(user: "li", label: "phone", expires: nil)

        try accounts.disable(user: "li")
        XCTAssertNil(try accounts.identity(sessionID: session), "disabling ends sessions")
        XCTAssertNil(try accounts.identity(token: token), "disabling revokes tokens")
        let disabled = try await accounts.login(user: "li", password: "correct horse 7")
        XCTAssertEqual(disabled, .refused)
        XCTAssertThrowsError(try accounts.issueToken(user: "li", label: "x", expires: nil)) {
            XCTAssertEqual($0 as? StaffAccountError, .accountDisabled)
        }
        let notes = try accounts.auditLog(limit: 100).reversed().filter { $0.action == "login_failed" }.map(\.note)
        XCTAssertEqual(notes, ["unknown user", "no password", "disabled"])
        let cli = try accounts.auditLog(limit: 100).reversed().filter { $0.actor == StaffAccounts.cliActor }
        XCTAssertEqual(
            cli.map { "\($0.action) \($0.target ?? "-")" },
            ["account_add li", "account_add bot", "token_issue li", "account_disable li"])
    }

    func testNewPasswordEndsSessionsAndReplacesTheOldOne() async throws {
        let accounts = try makeAccounts()
        try await accounts.addAccount(user: "li", name: "李护士", role: .oncall, password: "correct horse 7")
        guard case .signedIn(let session, _) = try await accounts.login(user: "li", password: "correct horse 7") else {
            return XCTFail("li could not sign in")
        }
        try await accounts.setPassword(user: "li", password: "battery staple 9")
        XCTAssertNil(try accounts.identity(sessionID: session))
        let old = try await accounts.login(user: "li", password: "correct horse 7")
        XCTAssertEqual(old, .refused)
        guard case .signedIn = try await accounts.login(user: "li", password: "battery staple 9") else {
            return XCTFail("new password refused")
        }
        do {
            try await accounts.setPassword(user: "nobody", password: "battery staple 9")
            XCTFail("set a password for nobody")
        } catch let error as StaffAccountError {
            XCTAssertEqual(error, .unknownAccount)
        }
    }

    func testExpiredSessionsArePurged() async throws {
        let clock = ManualWallClock(Ward.at("2026-11-22T00:30:00Z"))
        let accounts = StaffAccounts(
            store: try TestDatabases.newStore(), clock: clock, bcryptCost: 4, sessionLifetime: .seconds(60))
        try await accounts.addAccount(user: "li", name: "李护士", role: .oncall, password: "correct horse 7")
        guard case .signedIn(let session, _) = try await accounts.login(user: "li", password: "correct horse 7") else {
            return XCTFail("li could not sign in")
        }
        clock.advance(ms: 59_999)
        XCTAssertNotNil(try accounts.identity(sessionID: session))
        clock.advance(ms: 1)
        XCTAssertNil(try accounts.identity(sessionID: session))
        XCTAssertEqual(try accounts.purgeExpiredSessions(), 1)
        XCTAssertEqual(try accounts.purgeExpiredSessions(), 0)
    }

    func testThrottleLocksAfterTheLimitAndForgetsOldFailures() {
        var throttle = LoginThrottle(failureLimit: 3, lockout: 60_000, maxConcurrent: 1)
        XCTAssertNil(throttle.begin(user: "li", now: 0))
        XCTAssertEqual(throttle.begin(user: "wang", now: 0), 1, "one check at a time")
        throttle.finish(user: "li", succeeded: false, now: 0)
        XCTAssertNil(throttle.begin(user: "li", now: 1_000))
        throttle.finish(user: "li", succeeded: false, now: 1_000)
        // A failure more than a lockout period after the last one starts the count again.
        XCTAssertNil(throttle.begin(user: "li", now: 70_000))
        throttle.finish(user: "li", succeeded: false, now: 70_000)
        XCTAssertNil(throttle.begin(user: "li", now: 71_000))
        throttle.finish(user: "li", succeeded: false, now: 71_000)
        XCTAssertNil(throttle.begin(user: "li", now: 72_000))
        throttle.finish(user: "li", succeeded: false, now: 72_000)
        XCTAssertEqual(throttle.begin(user: "li", now: 72_500), 60)
        XCTAssertNil(throttle.begin(user: "wang", now: 72_500), "other usernames are not locked")
        throttle.finish(user: "wang", succeeded: true, now: 72_500)
        XCTAssertNil(throttle.begin(user: "li", now: 132_000))
    }

    func testPasswordIsReadFromTheFirstLineOfAFile() throws {
        let path = TestDatabases.folder + "/password-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: TestDatabases.folder, withIntermediateDirectories: true)
        try "correct horse 7\r\nsecond line\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try StaffPasswordInput.read(from: path), "correct horse 7")
        try "\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try StaffPasswordInput.read(from: path)) {
            XCTAssertEqual($0 as? StaffAccountError, .unreadablePassword("the password is empty"))
        }
        XCTAssertThrowsError(try StaffPasswordInput.read(from: path + "-missing"))
    }
}
