/// Who is behind a request: a signed-in staff member (session cookie or bearer token), or an
/// anonymous caller given `http.anonymous_role`.
public struct StaffIdentity: Sendable, Hashable {
    /// The username; `anonymous` for an anonymous caller.
    public var user: String
    /// The display name written into alert histories and hotline follow-ups. For an anonymous
    /// caller acting on an alert it is the `by` the request named.
    public var name: String
    public var role: StaffRole
    /// True for a caller without credentials.
    public var anonymous: Bool

    public init(user: String, name: String, role: StaffRole, anonymous: Bool = false) {
        self.user = user
        self.name = name
        self.role = role
        self.anonymous = anonymous
    }

    /// An anonymous caller with the configured role.
    public static func anonymous(role: StaffRole, name: String = StaffIdentity.anonymousUser) -> StaffIdentity {
        StaffIdentity(user: anonymousUser, name: name, role: role, anonymous: true)
    }

    /// The username anonymous callers share.
    public static let anonymousUser = "anonymous"

    /// The audit log's actor: the username, or `anonymous:<name>` for an anonymous caller.
    public var auditActor: String {
        anonymous ? (name == Self.anonymousUser ? name : Self.anonymousUser + ":" + name) : user
    }

    /// `{"user", "name", "role", "anonymous"}` (`GET /api/v1/me`).
    public var jsonText: String {
        var o = JSONObjectText()
        o.string("user", user)
        o.string("name", name)
        o.string("role", role.rawValue)
        o.raw("anonymous", anonymous ? "true" : "false")
        return o.json
    }
}
