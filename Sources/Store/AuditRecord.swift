import AnxinCore

/// One line of the audit log: who did what to which alert, outbox item, silence or account.
///
/// Never holds a password, a token or a session id.
public struct AuditRecord: Sendable, Hashable {
    /// Row id, assigned by the store (0 before it is written).
    public var id: Int64
    public var at: EpochMillis
    /// The username, `anonymous:<name given>` for anonymous loopback staff, or the name tried
    /// at a failed login.
    public var actor: String
    /// The actor's role at the time, nil when unknown (a failed login).
    public var role: String?
    /// `login`, `login_failed`, `logout`, `acknowledge`, `resolve`, `cancel`, `requeue`,
    /// `silence`, `unsilence`, `account_add`, `password_set`, `token_issue`, `account_disable`, …
    public var action: String
    /// What it was done to: an alert id, an outbox item id, a silence id, a username.
    public var target: String?
    /// Staff's note or a short machine reason (`bad password`, `locked`).
    public var note: String?
    /// `ok`, or what stopped it: `not_found`, `conflict`, `denied`, `locked`, `refused`.
    public var outcome: String

    public init(
        id: Int64 = 0, at: EpochMillis, actor: String, role: String? = nil, action: String, target: String? = nil,
        note: String? = nil, outcome: String = "ok"
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.role = role
        self.action = action
        self.target = target
        self.note = note
        self.outcome = outcome
    }
}
