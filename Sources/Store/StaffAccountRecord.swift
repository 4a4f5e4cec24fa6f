import AnxinCore

/// A staff member who may sign in to the duty board or call the API.
///
/// The role is stored as its name (`viewer`, `oncall`, `admin`); the staff API gives it meaning.
/// The password is only ever held as a bcrypt hash.
public struct StaffAccountRecord: Sendable, Hashable {
    /// Login name, unique.
    public var username: String
    /// The name shown on the board and written into alert histories.
    public var displayName: String
    /// `viewer`, `oncall` or `admin`.
    public var role: String
    /// bcrypt hash of the password; nil for an account that signs in with tokens only.
    public var passwordHash: String?
    public var createdAt: EpochMillis
    /// Set once the account is disabled: it can no longer sign in or use its tokens.
    public var disabledAt: EpochMillis?

    public init(
        username: String, displayName: String, role: String, passwordHash: String? = nil, createdAt: EpochMillis,
        disabledAt: EpochMillis? = nil
    ) {
        self.username = username
        self.displayName = displayName
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}
