/// How the staff API admits callers (`http.*` in the gateway config).
public struct StaffAccessSettings: Sendable, Hashable {
    /// What requests without credentials may do.
    public var anonymous: AnonymousAccess
    /// Mark the session cookie `Secure` (when the board is reached over HTTPS, e.g. behind a proxy).
    public var secureCookie: Bool

    public init(anonymous: AnonymousAccess, secureCookie: Bool = false) {
        self.anonymous = anonymous
        self.secureCookie = secureCookie
    }
}
