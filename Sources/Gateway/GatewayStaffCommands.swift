import AnxinCore
import Foundation
import StaffAPI
import Store

/// `anxin staff add|passwd|token|list|disable`: staff accounts, kept in the gateway's database.
/// Works while the daemon runs (SQLite WAL). Passwords come from a file or standard input,
/// never from the command line; a token is printed once and only its hash is kept.
public enum GatewayStaff {
    static func accounts(_ config: GatewayConfig) throws -> StaffAccounts {
        try GatewayApp.prepareStateDirectory(for: config.databasePath)
        return StaffAccounts(
            store: try Store(path: config.databasePath), bcryptCost: UInt8(config.http.passwordCost),
            sessionLifetime: .seconds(config.http.sessionHours * 3600))
    }

    /// The roles an account can have, for help text and validation.
    public static let roles = StaffRole.allCases.map(\.rawValue)

    /// Creates an account; `passwordFile` "-" reads standard input, nil makes a token-only account.
    public static func add(config: GatewayConfig, user: String, name: String, role: String, passwordFile: String?)
        async throws
    {
        guard let r = StaffRole(rawValue: role) else { throw StaffCommandError("role must be one of \(roles)") }
        let password = try passwordFile.map { try StaffPasswordInput.read(from: $0 == "-" ? nil : $0) }
        try await accounts(config).addAccount(user: user, name: name, role: r, password: password)
    }

    /// Sets a new password (existing sessions of the account are not kept by the next sign-in).
    public static func setPassword(config: GatewayConfig, user: String, passwordFile: String?) async throws {
        let password = try StaffPasswordInput.read(from: passwordFile == "-" ? nil : passwordFile)
        try await accounts(config).setPassword(user: user, password: password)
    }

    /// Issues an API bearer token and returns it (shown once).
    public static func issueToken(config: GatewayConfig, user: String, label: String, days: Int?) throws -> String {
        let expires = days.map { SystemWallClock().now() + EpochMillis($0) * 86_400_000 }
        return try accounts(config).issueToken(user: user, label: label, expires: expires)
    }

    /// One line per account: username, role, display name, state.
    public static func list(config: GatewayConfig) throws -> [String] {
        try accounts(config).accounts().map {
            "\($0.username)\t\($0.role)\t\($0.displayName)\t\($0.disabledAt == nil ? "active" : "disabled")"
        }
    }

    /// Disables an account: it can no longer sign in or use its tokens.
    public static func disable(config: GatewayConfig, user: String) throws {
        try accounts(config).disable(user: user)
    }
}

/// A staff command the operator got wrong (printed, exit 1).
public struct StaffCommandError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
