import Hummingbird

/// The staff API's request context: Hummingbird's core storage plus who is asking, set by
/// `StaffAuthMiddleware` before any route runs.
public struct StaffRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller: a signed-in staff member, an anonymous caller with the configured role, or nil
    /// (no credentials and anonymous access is `none`; only public paths get this far).
    public var identity: StaffIdentity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
    }

    /// The caller, if their role is at least `role`: 401 without an identity, 403 below the role.
    func requireRole(_ role: StaffRole) throws -> StaffIdentity {
        guard let identity else { throw StaffAPIError.unauthorized }
        guard identity.role >= role else { throw StaffAPIError.forbidden }
        return identity
    }
}
