import AnxinCore
import Dispatch
import Foundation
import HummingbirdBcrypt
import Store
import Synchronization

/// Staff accounts, sign-in, sessions, API tokens and the audit log, over a writable `Store`.
///
/// Passwords are kept only as bcrypt hashes; session ids and tokens only as SHA-256 hashes.
/// bcrypt runs on a Dispatch thread, never on the caller's task, at most a few at once.
/// The CLI (`anxin staff …`) and the staff API share this type; changes the CLI makes are audited
/// with the actor `cli`.
public final class StaffAccounts: Sendable {
    /// The database the accounts live in (writable: sign-in writes sessions and audit rows).
    public let store: Store
    /// bcrypt's cost (log2 rounds), 4…31.
    public let bcryptCost: UInt8
    /// How long a board session lasts, in milliseconds.
    public let sessionLifetime: EpochMillis
    let clock: any WallClock
    let throttle: Mutex<LoginThrottle>
    let dummyHash = Mutex<String?>(nil)

    /// The actor written to the audit log for changes made from the command line.
    public static let cliActor = "cli"

    /// - Parameters:
    ///   - store: a writable store.
    ///   - clock: the wall clock behind session expiry, token expiry and audit times.
    ///   - bcryptCost: bcrypt cost for new hashes (12 in production; tests use 4).
    ///   - sessionLifetime: how long a board session lasts (`http.session_hours`).
    ///   - loginFailureLimit: failed sign-ins for one username that lock it…
    ///   - lockout: …for this long.
    public init(
        store: Store, clock: any WallClock = SystemWallClock(), bcryptCost: UInt8 = 12,
        sessionLifetime: Duration = .seconds(12 * 3600), loginFailureLimit: Int = 5, lockout: Duration = .seconds(60)
    ) {
        self.store = store
        self.clock = clock
        self.bcryptCost = min(31, max(4, bcryptCost))
        self.sessionLifetime = Self.millis(sessionLifetime)
        self.throttle = Mutex(
            LoginThrottle(failureLimit: loginFailureLimit, lockout: Self.millis(lockout), maxConcurrent: 4))
    }

    // MARK: accounts

    /// Creates an account. `password` nil makes an account that can use API tokens only.
    /// Throws `StaffAccountError` for a bad username, name or password or a taken username.
    public func addAccount(user: String, name: String, role: StaffRole, password: String?) async throws {
        try Self.checkUsername(user)
        try Self.checkText(name, or: .invalidDisplayName)
        var hash: String?
        if let password {
            try Self.checkPassword(password)
            hash = await hashPassword(password)
        }
        let record = StaffAccountRecord(
            username: user, displayName: name, role: role.rawValue, passwordHash: hash, createdAt: clock.now())
        guard try store.createStaffAccount(record) else { throw StaffAccountError.accountExists }
        try auditCLI("account_add", target: user, note: role.rawValue)
    }

    /// Sets a new password; every board session of the account ends.
    public func setPassword(user: String, password: String) async throws {
        try Self.checkPassword(password)
        let hash = await hashPassword(password)
        guard try store.setStaffPasswordHash(username: user, hash: hash) else {
            throw StaffAccountError.unknownAccount
        }
        try auditCLI("password_set", target: user, note: nil)
    }

    /// Changes an account's display name and role.
    public func updateAccount(user: String, name: String, role: StaffRole) throws {
        try Self.checkText(name, or: .invalidDisplayName)
        guard try store.updateStaffAccount(username: user, displayName: name, role: role.rawValue) else {
            throw StaffAccountError.unknownAccount
        }
        try auditCLI("account_update", target: user, note: role.rawValue)
    }

    /// Disables an account: it cannot sign in, its sessions end and its tokens are revoked.
    public func disable(user: String) throws {
        guard try store.disableStaffAccount(username: user, at: clock.now()) else {
            throw StaffAccountError.unknownAccount
        }
        try auditCLI("account_disable", target: user, note: nil)
    }

    /// Every account, disabled ones included, by username.
    public func accounts() throws -> [StaffAccountRecord] {
        try store.staffAccounts()
    }

    // MARK: tokens

    /// Issues an API bearer token for an enabled account and returns it. It is shown this once:
    /// only its SHA-256 is stored. `expires` nil: it lasts until revoked.
    public func issueToken(user: String, label: String, expires: EpochMillis?) throws -> String {
        try Self.checkText(label, or: .invalidLabel)
        guard let account = try store.staffAccount(username: user) else { throw StaffAccountError.unknownAccount }
        guard account.disabledAt == nil else { throw StaffAccountError.accountDisabled }
        let token = StaffSecret.token()
        try store.addStaffToken(
            StaffTokenRecord(
                tokenHash: StaffSecret.hash(token), username: user, label: label, createdAt: clock.now(),
                expiresAt: expires))
        try auditCLI("token_issue", target: user, note: label)
        return token
    }

    /// Revokes one token by its text; false when it was unknown or already revoked.
    @discardableResult
    public func revokeToken(_ token: String) throws -> Bool {
        let revoked = try store.revokeStaffToken(hash: StaffSecret.hash(token), at: clock.now())
        if revoked { try auditCLI("token_revoke", target: nil, note: nil) }
        return revoked
    }

    /// Revokes an account's tokens, all or those with `label`; how many.
    @discardableResult
    public func revokeTokens(user: String, label: String?) throws -> Int {
        let n = try store.revokeStaffTokens(username: user, label: label, at: clock.now())
        if n > 0 { try auditCLI("token_revoke", target: user, note: label) }
        return n
    }

    /// An account's tokens (hashes only), revoked and expired ones included.
    public func tokens(user: String) throws -> [StaffTokenRecord] {
        try store.staffTokens(username: user)
    }

    // MARK: requests

    /// Who a board session stands for; nil when unknown, expired or the account is disabled.
    public func identity(sessionID: String) throws -> StaffIdentity? {
        guard Self.plausibleSecret(sessionID) else { return nil }
        return try store.staffAccount(sessionHash: StaffSecret.hash(sessionID), now: clock.now()).flatMap(
            Self.identity)
    }

    /// Who a bearer token stands for; nil when unknown, revoked, expired or the account is disabled.
    public func identity(token: String) throws -> StaffIdentity? {
        guard Self.plausibleSecret(token) else { return nil }
        return try store.staffAccount(tokenHash: StaffSecret.hash(token), now: clock.now()).flatMap(Self.identity)
    }

    /// Ends a board session (audited when it was live); who it belonged to, if anyone.
    @discardableResult
    public func logout(sessionID: String) throws -> StaffIdentity? {
        guard Self.plausibleSecret(sessionID) else { return nil }
        let who = try identity(sessionID: sessionID)
        try store.deleteStaffSession(hash: StaffSecret.hash(sessionID))
        if let who { try audit(who, action: "logout") }
        return who
    }

    /// Deletes expired sessions; how many.
    @discardableResult
    public func purgeExpiredSessions() throws -> Int {
        try store.purgeExpiredStaffSessions(now: clock.now())
    }

    // MARK: audit

    /// Appends an audit row for what `actor` did.
    public func audit(
        _ actor: StaffIdentity, action: String, target: String? = nil, note: String? = nil, outcome: String = "ok"
    ) throws {
        try store.appendAudit(
            AuditRecord(
                at: clock.now(), actor: actor.auditActor, role: actor.role.rawValue, action: action, target: target,
                note: note, outcome: outcome))
    }

    /// Audit rows newest first.
    public func auditLog(limit: Int, before: Int64? = nil) throws -> [AuditRecord] {
        try store.auditRecords(limit: limit, before: before)
    }

    private func auditCLI(_ action: String, target: String?, note: String?) throws {
        try store.appendAudit(
            AuditRecord(at: clock.now(), actor: Self.cliActor, role: nil, action: action, target: target, note: note))
    }

    // MARK: helpers

    static func identity(_ a: StaffAccountRecord) -> StaffIdentity? {
        guard let role = StaffRole(rawValue: a.role) else { return nil }
        return StaffIdentity(user: a.username, name: a.displayName, role: role)
    }

    /// Secrets are ASCII and short; anything else is not worth hashing.
    static func plausibleSecret(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 128
    }

    static func checkUsername(_ user: String) throws {
        let ok =
            !user.isEmpty && user.utf8.count <= 64
            && user.unicodeScalars.allSatisfy { c in
                c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "." || c == "_" || c == "-")
            }
        guard ok else { throw StaffAccountError.invalidUsername }
    }

    static func checkText(_ text: String, or error: StaffAccountError) throws {
        let ok =
            !text.trimmingCharacters(in: .whitespaces).isEmpty && text.count <= 64
            && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
        guard ok else { throw error }
    }

    static func checkPassword(_ password: String) throws {
        guard (8...72).contains(password.utf8.count) else { throw StaffAccountError.invalidPassword }
    }

    static func millis(_ d: Duration) -> EpochMillis {
        let (seconds, attoseconds) = d.components
        return EpochMillis(seconds) * 1000 + EpochMillis(attoseconds / 1_000_000_000_000_000)
    }

    /// Runs CPU-heavy work (bcrypt) on a Dispatch thread so the caller's executor stays free.
    static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    func hashPassword(_ password: String) async -> String {
        let cost = bcryptCost
        return await Self.offThread { Bcrypt.hash(password, cost: cost) }
    }
}
