/// A failed SQLite call, as a value the caller can act on.
///
/// `message` names the operation and SQLite's own explanation. Every value Anxin stores is
/// bound as a parameter, never spliced into SQL, so the text never carries a resident's data,
/// a device payload or any other bound value.
public struct SQLiteError: Error, Sendable, CustomStringConvertible, Equatable {
    /// SQLite's primary result code (`SQLITE_BUSY` is 5, `SQLITE_FULL` 13, …).
    public var code: Int32
    /// What was being done and why it failed.
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "SQLite error \(code): \(message)" }

    /// What the caller should do about a failure.
    public enum Remedy: Sendable, Hashable {
        /// Another connection held the lock past the busy timeout: try again shortly.
        case retryLater
        /// The disk or its quota is full: keep the data in hand, alert the operator, retry later.
        case freeSpace
        /// The data itself was refused (constraint): retrying the same data fails again.
        case rejectData
        /// The file cannot be opened, is not a database, is corrupt or read-only: stop and tell the operator.
        case fatal
        /// A mistake in Anxin (misuse, bad SQL): a bug to report.
        case bug
    }

    /// What happens next, from the code.
    public var remedy: Remedy {
        switch code {
        case Self.busy, Self.locked: .retryLater
        case Self.full: .freeSpace
        case Self.constraint, Self.tooBig, Self.mismatch: .rejectData
        case Self.cantOpen, Self.notADatabase, Self.corrupt, Self.readOnly, Self.ioError, Self.permission:
            .fatal
        default: .bug
        }
    }

    // SQLite's primary result codes are a stable, documented ABI; named here so callers need
    // not import the C module.
    public static let busy: Int32 = 5
    public static let locked: Int32 = 6
    public static let readOnly: Int32 = 8
    public static let ioError: Int32 = 10
    public static let corrupt: Int32 = 11
    public static let full: Int32 = 13
    public static let cantOpen: Int32 = 14
    public static let schema: Int32 = 17
    public static let tooBig: Int32 = 18
    public static let constraint: Int32 = 19
    public static let mismatch: Int32 = 20
    public static let misuse: Int32 = 21
    public static let notADatabase: Int32 = 26
    public static let permission: Int32 = 3
    public static let error: Int32 = 1
}
