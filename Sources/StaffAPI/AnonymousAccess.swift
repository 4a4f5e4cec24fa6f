/// What a request without credentials may do (`http.anonymous_role`). `admin` is never given
/// away; off loopback the gateway allows only `none`.
public enum AnonymousAccess: String, Sendable, Hashable, CaseIterable {
    /// Refused with 401: nothing but `/healthz`, the board's files and login answer.
    case none
    /// May read everything.
    case viewer
    /// May also acknowledge, resolve, cancel and silence, naming themselves with `by`.
    case oncall

    /// The role anonymous callers get, nil for `none`.
    public var role: StaffRole? {
        switch self {
        case .none: nil
        case .viewer: .viewer
        case .oncall: .oncall
        }
    }
}
