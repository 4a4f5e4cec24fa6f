/// Why an account change was refused. The caller must change what it asked for; the text names
/// the rule broken, never the password.
public enum StaffAccountError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Usernames are 1 to 64 letters, digits, `.`, `_` or `-`.
    case invalidUsername
    /// Display names are 1 to 64 characters, no control characters.
    case invalidDisplayName
    /// Passwords are 8 to 72 bytes (bcrypt reads no further than 72).
    case invalidPassword
    /// Token labels are 1 to 64 characters, no control characters.
    case invalidLabel
    /// An account with that username exists already.
    case accountExists
    /// No account has that username.
    case unknownAccount
    /// The account is disabled.
    case accountDisabled
    /// The password given on standard input or in a file was empty or could not be read.
    case unreadablePassword(String)

    public var description: String {
        switch self {
        case .invalidUsername: "username must be 1 to 64 letters, digits, '.', '_' or '-'"
        case .invalidDisplayName: "display name must be 1 to 64 characters without control characters"
        case .invalidPassword: "password must be 8 to 72 bytes"
        case .invalidLabel: "token label must be 1 to 64 characters without control characters"
        case .accountExists: "an account with that username exists"
        case .unknownAccount: "no account has that username"
        case .accountDisabled: "the account is disabled"
        case .unreadablePassword(let why): "cannot read the password: \(why)"
        }
    }
}
