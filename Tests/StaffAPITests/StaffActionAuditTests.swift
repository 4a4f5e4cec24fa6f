import AnxinCore
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import StaffAPI

final class StaffActionAuditTests: XCTestCase {
    func testEveryActionGetsTheSignedInIdentityNotTheBodysByAndExactlyOneAuditRow() async throws {
        let ward = WardDataSource()
        let team = try await StaffTeam()
        let oncall = StaffTeam.session(team.oncallSession)
        let admin = StaffTeam.session(team.adminSession)
        try await team.app(ward).test(.router) { client in
            let ack = try await client.execute(
                uri: "/api/v1/alerts/A-0003/ack", method: .post, headers: oncall,
                body: jsonBody(#"{"by":"冒名顶替","note":"已到房间"}"#))
            XCTAssertEqual(ack.status, .ok)
            let resolve = try await client.execute(
                uri: "/api/v1/alerts/A-0003/resolve", method: .post, headers: oncall,
                body: jsonBody(#"{"by":"冒名顶替","note":"血压已复测"}"#))
            XCTAssertEqual(resolve.status, .ok)
            let cancel = try await client.execute(
                uri: "/api/v1/alerts/A-0002/cancel", method: .post, headers: admin, body: jsonBody(#"{"note":"误按"}"#))
            XCTAssertEqual(cancel.status, .ok)
            XCTAssertTrue(cancel.text.contains(#""state":"resolved""#) && cancel.text.contains(#""cancelled":true"#))
            let requeue = try await client.execute(
                uri: "/api/v1/outbox/INC-A-0003%2Fack/requeue", method: .post, headers: admin)
            XCTAssertEqual(requeue.status, .ok)
            let silence = try await client.execute(
                uri: "/api/v1/silences", method: .post, headers: oncall,
                body: jsonBody(#"{"scope":"resident","target":"R-0001","minutes":90,"reason":"住院","by":"x"}"#))
            XCTAssertEqual(silence.status, .ok)
            XCTAssertEqual(
                silence.text,
                #"{"silence":{"id":2,"scope":"resident","target":"R-0001","reason":"住院","by":"李护士","#
                    + #""created_at":"2026-11-22T00:20:00Z","ends_at":"2026-11-22T01:50:00Z"}}"# + "\n")
            let lift = try await client.execute(uri: "/api/v1/silences/2", method: .delete, headers: oncall)
            XCTAssertEqual(lift.status, .noContent)
        }
        let actions = await ward.actions
        XCTAssertEqual(actions.map(\.verb), ["ack", "resolve", "cancel", "requeue", "silence", "unsilence"])
        XCTAssertEqual(
            actions.map(\.actor),
            [StaffTeam.oncall, StaffTeam.oncall, StaffTeam.admin, StaffTeam.admin, StaffTeam.oncall, StaffTeam.oncall])
        XCTAssertEqual(actions.map(\.by), ["李护士", "李护士", "赵主任", "赵主任", "李护士", "李护士"])
        XCTAssertEqual(actions.map(\.note), ["已到房间", "血压已复测", "误按", nil, "住院", nil])
        let rows = try team.accounts.auditLog(limit: 100).reversed().filter {
            $0.action != "login" && $0.actor != StaffAccounts.cliActor
        }
        XCTAssertEqual(
            rows.map {
                "\($0.action) \($0.outcome) \($0.actor) \($0.role ?? "-") \($0.target ?? "-") \($0.note ?? "-")"
            },
            [
                "acknowledge ok li oncall A-0003 已到房间",
                "resolve ok li oncall A-0003 血压已复测",
                "cancel ok zhao admin A-0002 误按",
                "requeue ok zhao admin INC-A-0003/ack -",
                "silence ok li oncall resident:R-0001 silence 2, 90 min: 住院",
                "unsilence ok li oncall 2 -",
            ])
    }

    func testFailedActionsAreAuditedWithTheirOutcomeOnce() async throws {
        let ward = WardDataSource()
        await ward.refuseNextSilences("SOS and fall alerts cannot be silenced")
        let team = try await StaffTeam()
        let oncall = StaffTeam.session(team.oncallSession)
        let admin = StaffTeam.session(team.adminSession)
        try await team.app(ward).test(.router) { client in
            let missing = try await client.execute(
                uri: "/api/v1/alerts/A-9999/ack", method: .post, headers: oncall, body: jsonBody("{}"))
            assertError(missing, .notFound, "unknown alert")
            let done = try await client.execute(
                uri: "/api/v1/alerts/A-0001/cancel", method: .post, headers: oncall, body: jsonBody("{}"))
            assertError(done, .conflict, "alert already resolved")
            let delivered = try await client.execute(
                uri: "/api/v1/outbox/INC-A-0003/requeue", method: .post, headers: admin)
            assertError(delivered, .conflict, "outbox item already delivered")
            let unknownItem = try await client.execute(
                uri: "/api/v1/outbox/nope/requeue", method: .post, headers: admin)
            assertError(unknownItem, .notFound, "unknown outbox item")
            let sos = try await client.execute(
                uri: "/api/v1/silences", method: .post, headers: oncall,
                body: jsonBody(#"{"scope":"rule","target":"sos","minutes":30,"reason":"演练"}"#))
            assertError(sos, .badRequest, "SOS and fall alerts cannot be silenced")
            let lift = try await client.execute(uri: "/api/v1/silences/9", method: .delete, headers: oncall)
            assertError(lift, .notFound, "unknown silence")
        }
        XCTAssertEqual(
            try team.auditLines(),
            [
                "acknowledge not_found li A-9999", "cancel conflict li A-0001", "requeue conflict zhao INC-A-0003",
                "requeue not_found zhao nope", "silence refused li rule:sos", "unsilence not_found li 9",
            ])
    }

    func testAnonymousOncallActsUnderTheNameItGivesAndIsAuditedSo() async throws {
        let ward = WardDataSource()
        let team = try await StaffTeam()
        try await team.app(ward, anonymous: .oncall).test(.router) { client in
            let r = try await client.execute(
                uri: "/api/v1/alerts/A-0003/ack", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"by":"N-07"}"#))
            XCTAssertEqual(r.status, .ok)
            let silence = try await client.execute(
                uri: "/api/v1/silences", method: .post, headers: jsonHeaders,
                body: jsonBody(#"{"scope":"device","target":"201906078","minutes":60,"reason":"充电","by":"N-07"}"#))
            XCTAssertEqual(silence.status, .ok)
        }
        XCTAssertEqual(
            try team.auditLines(),
            ["acknowledge ok anonymous:N-07 A-0003", "silence ok anonymous:N-07 device:201906078"])
    }

    func testBadSilenceBodiesAre400AndReachNoSource() async throws {
        let ward = WardDataSource()
        let team = try await StaffTeam()
        let cases: [(String, String)] = [
            (#"{"scope":"ward","target":"x","minutes":5,"reason":"r"}"#, "scope must be resident, device or rule"),
            (
                #"{"scope":"device","target":" ","minutes":5,"reason":"r"}"#,
                #""target" must name the resident, device or rule"#
            ),
            (
                #"{"scope":"device","target":"x","minutes":0,"reason":"r"}"#,
                "minutes must be a whole number from 1 to 43200"
            ),
            (
                #"{"scope":"device","target":"x","minutes":1.5,"reason":"r"}"#,
                "minutes must be a whole number from 1 to 43200"
            ),
            (
                #"{"scope":"device","target":"x","minutes":43201,"reason":"r"}"#,
                "minutes must be a whole number from 1 to 43200"
            ),
            (
                #"{"scope":"device","target":"x","minutes":"5","reason":"r"}"#,
                "minutes must be a whole number from 1 to 43200"
            ),
            (#"{"scope":"device","target":"x","minutes":5}"#, #""reason" must say why"#),
        ]
        try await team.app(ward).test(.router) { client in
            for (body, message) in cases {
                let r = try await client.execute(
                    uri: "/api/v1/silences", method: .post, headers: StaffTeam.session(team.oncallSession),
                    body: jsonBody(body))
                assertError(r, .badRequest, message)
            }
        }
        let actions = await ward.actions
        XCTAssertEqual(actions, [])
    }
}
