/// Why `anxin backup` or `anxin restore` stopped. Every case is fatal for the command; none
/// leaves a half-written backup or database behind. The text names files, never their content.
public enum GatewayBackupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key file is missing, unreadable, or not 32 raw bytes or 64 hex characters.
    case badKeyFile(path: String, reason: String)
    /// There is no database to back up at the configured path.
    case databaseMissing(path: String)
    /// The file does not start with the `ANXINBK1` magic or is too short to be a backup.
    case notABackup(path: String)
    /// AES-GCM authentication failed: the key is wrong, or the file was altered or damaged.
    case cannotDecrypt(path: String)
    /// The restore target exists and `force` was not given.
    case destinationExists(path: String)
    /// The decrypted database failed `PRAGMA integrity_check`; nothing was restored.
    case integrityFailed(path: String, report: String)
    /// A file could not be created, written, read or renamed.
    case file(operation: String, path: String, reason: String)
    /// SQLite refused (opening the database, the backup API, the integrity check).
    case store(SQLiteFailure)

    /// An SQLite error kept as text, so this enum stays `Equatable` without importing Store.
    public struct SQLiteFailure: Sendable, Equatable {
        public var code: Int32
        public var message: String
    }

    public var description: String {
        switch self {
        case .badKeyFile(let path, let reason): "key file \(path): \(reason)"
        case .databaseMissing(let path): "no database at \(path)"
        case .notABackup(let path): "\(path) is not an Anxin backup (no ANXINBK1 header)"
        case .cannotDecrypt(let path):
            "cannot decrypt \(path): wrong key, or the file was altered or damaged"
        case .destinationExists(let path):
            "\(path) exists; stop the daemon and pass --force to replace it"
        case .integrityFailed(let path, let report): "restored copy for \(path) fails the integrity check: \(report)"
        case .file(let operation, let path, let reason): "\(operation) \(path): \(reason)"
        case .store(let f): "SQLite error \(f.code): \(f.message)"
        }
    }
}
