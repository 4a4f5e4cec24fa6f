import AnxinCore
import HummingbirdBcrypt
import Store

extension StaffAccounts {
    /// Signs a staff member in with username and password.
    ///
    /// Unknown users and disabled accounts cost one bcrypt check like a real one (against a
    /// dummy hash), so the answer's timing does not tell which usernames exist. Every failure is
    /// audited as `login_failed` (the password never is); `loginFailureLimit` failures lock the
    /// username for `lockout`. A success creates a session and purges expired ones.
    public func login(user: String, password: String) async throws -> StaffLoginResult {
        let tried = String(user.prefix(64))
        let started = clock.now()
        if let wait = throttle.withLock({ $0.begin(user: tried, now: started) }) {
            try auditLogin(tried, role: nil, action: "login_failed", note: "throttled", outcome: "throttled")
            return .throttled(retryAfterSeconds: wait)
        }
        var succeeded = false
        defer {
            let now = clock.now()
            throttle.withLock { $0.finish(user: tried, succeeded: succeeded, now: now) }
        }
        let account = try store.staffAccount(username: tried)
        let usable = account.flatMap { a in a.disabledAt == nil ? a.passwordHash : nil }
        let hash: String
        if let usable {
            hash = usable
        } else {
            hash = await dummyPasswordHash()
        }
        let matches = await Self.offThread { Bcrypt.verify(password, hash: hash) }
        guard let account, usable != nil, matches, let identity = Self.identity(account) else {
            try auditLogin(
                tried, role: account?.role, action: "login_failed", note: Self.refusalReason(account),
                outcome: "denied")
            return .refused
        }
        succeeded = true
        let sessionID = StaffSecret.sessionID()
        let now = clock.now()
        try store.purgeExpiredStaffSessions(now: now)
        try store.addStaffSession(
            hash: StaffSecret.hash(sessionID), username: account.username, createdAt: now,
            expiresAt: now + sessionLifetime)
        try audit(identity, action: "login")
        return .signedIn(sessionID: sessionID, identity: identity)
    }

    /// Why a sign-in was refused, for the audit log only (the caller is never told).
    static func refusalReason(_ account: StaffAccountRecord?) -> String {
        guard let account else { return "unknown user" }
        if account.disabledAt != nil { return "disabled" }
        if account.passwordHash == nil { return "no password" }
        return "bad password"
    }

    private func auditLogin(_ user: String, role: String?, action: String, note: String, outcome: String) throws {
        try store.appendAudit(
            AuditRecord(
                at: clock.now(), actor: user.isEmpty ? "(empty)" : user, role: role, action: action, target: user,
                note: note, outcome: outcome))
    }

    /// Makes the dummy hash that unknown usernames are checked against now, so the first such
    /// sign-in costs no more than any other. `StaffServer` starts it as it starts listening.
    public func warmUp() async {
        _ = await dummyPasswordHash()
    }

    /// A hash of a password nobody has, at the configured cost, made once.
    private func dummyPasswordHash() async -> String {
        if let cached = dummyHash.withLock({ $0 }) { return cached }
        let made = await hashPassword(StaffSecret.base64URL(StaffSecret.randomBytes(16)))
        return dummyHash.withLock { stored in
            if let stored { return stored }
            stored = made
            return made
        }
    }
}
