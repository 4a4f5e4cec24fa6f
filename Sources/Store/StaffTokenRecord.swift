import AnxinCore

/// An API bearer token as stored: only the SHA-256 of the token text, never the token itself.
public struct StaffTokenRecord: Sendable, Hashable {
    /// SHA-256 of the token text (32 bytes).
    public var tokenHash: [UInt8]
    public var username: String
    /// What the token is for (`prometheus`, `ward3-tablet`), chosen when it was issued.
    public var label: String
    public var createdAt: EpochMillis
    /// The token is refused from this time on; nil: it does not expire.
    public var expiresAt: EpochMillis?
    /// Set once the token is revoked.
    public var revokedAt: EpochMillis?

    public init(
        tokenHash: [UInt8], username: String, label: String, createdAt: EpochMillis, expiresAt: EpochMillis? = nil,
        revokedAt: EpochMillis? = nil
    ) {
        self.tokenHash = tokenHash
        self.username = username
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Usable at `now`: neither revoked nor expired.
    public func isValid(at now: EpochMillis) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}
