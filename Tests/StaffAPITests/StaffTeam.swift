import AnxinCore
import Hummingbird
import HummingbirdTesting
import StaffAPI
import Store

/// Three staff accounts, one per role, signed in through `StaffAccounts` (bcrypt cost 4).
struct StaffTeam {
    let clock: ManualWallClock
    let accounts: StaffAccounts
    let viewerSession: String
    let oncallSession: String
    let adminSession: String

    static let password = "correct horse 7"
    static let viewer = StaffIdentity(user: "wang", name: "王芳", role: .viewer)
    static let oncall = StaffIdentity(user: "li", name: "李护士", role: .oncall)
    static let admin = StaffIdentity(user: "zhao", name: "赵主任", role: .admin)

    init(clock: ManualWallClock = ManualWallClock(Ward.at("2026-11-22T00:30:00Z"))) async throws {
        self.clock = clock
        accounts = try makeAccounts(clock: clock)
        for who in [Self.viewer, Self.oncall, Self.admin] {
            try await accounts.addAccount(user: who.user, name: who.name, role: who.role, password: Self.password)
        }
        viewerSession = try await Self.signIn(accounts, Self.viewer.user)
        oncallSession = try await Self.signIn(accounts, Self.oncall.user)
        adminSession = try await Self.signIn(accounts, Self.admin.user)
    }

    static func signIn(_ accounts: StaffAccounts, _ user: String) async throws -> String {
        guard case .signedIn(let session, _) = try await accounts.login(user: user, password: password) else {
            throw WardDataSource.Failure()
        }
        return session
    }

    /// The app over `source` with these accounts and anonymous access `none`.
    func app(_ source: WardDataSource, anonymous: AnonymousAccess = .none) throws -> some ApplicationProtocol {
        try staffApp(source, clock: clock, accounts: accounts, anonymous: anonymous)
    }

    /// Headers carrying a session cookie (and a JSON content type, harmless on a GET).
    static func session(_ id: String) -> HTTPFields {
        [.cookie: "anxin_session=\(id)", .contentType: "application/json"]
    }

    /// Headers carrying a bearer token.
    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }

    /// The audit log, oldest first, as `action outcome actor target` lines (the accounts' creation
    /// and, unless asked for, sign-ins left out).
    func auditLines(includingLogins: Bool = false) throws -> [String] {
        try accounts.auditLog(limit: 1000).reversed()
            .filter { $0.actor != StaffAccounts.cliActor && (includingLogins || $0.action != "login") }
            .map { "\($0.action) \($0.outcome) \($0.actor) \($0.target ?? "-")" }
    }
}
