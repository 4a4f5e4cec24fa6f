import AnxinCore
import Foundation

/// Anxin's SQLite database: readings, devices, alerts and their history, the hotline outbox,
/// rule state and small settings.
///
/// One `Store` is one connection. The pipeline owns a writable one, the staff API a read-only
/// one, the dispatcher a third; WAL mode lets the readers run while the writer commits.
/// Every method takes an internal recursive lock, so one instance may be shared across threads
/// (that is why it is `@unchecked Sendable`), and calls made from inside `inTransaction` join it.
///
/// Durability: readings commit with `synchronous=NORMAL`; a transaction that carries an
/// emergency (`inTransaction(durable: true)`, which `enqueueIncident` demands) commits with
/// `synchronous=FULL`. See `inTransaction(durable:_:)`.
public final class Store: @unchecked Sendable {
    /// The database file.
    public let path: String
    /// True when opened with `readOnly: true`: every write throws.
    public let isReadOnly: Bool

    let connection: SQLiteConnection
    let lock = NSRecursiveLock()
    var statements: [StatementKey: SQLiteStatement] = [:]
    var stageReadingStatement: SQLiteStatement?
    /// The staged packs of the fold under way on this connection, sorted by device (Store+Fold), and
    /// their bytes, one after another.
    var foldPacks: [FoldPack] = []
    var foldBytes: [UInt8] = []
    /// One device's readings while a fold merges them (Store+Fold), kept for its capacity.
    var foldScratch: [FoldEntry] = []
    /// The same readings grouped by kind (``Store/groupFoldScratchByKind()``), swapped with `foldScratch`.
    var foldGrouped: [FoldEntry] = []
    /// The pack being encoded (`stageReadings`), kept for its capacity.
    var packBuffer: [UInt8] = []
    var transactionDepth = 0
    var transactionIsDurable = false
    /// Device rows this connection knows, by device id: the reading hot path needs no lookup.
    var deviceCache = DenseStringMap<DeviceSlot>()
    /// The profiles of the devices in `deviceCache`, each once (``DeviceSlot/profile`` is an index).
    var profileNames: [String] = []
    /// Devices whose last_seen, profile or registered flag changed in the open transaction.
    var dirtyDevices: [String] = []
    /// How far a device's last_seen in the table may lag behind the newest time it was heard, in ms
    /// (0: written at every commit that heard it). A profile or binding change is written at once.
    ///
    /// The gateway's writer uses a few seconds: a city's devices each heard several times a second
    /// would otherwise cost one UPDATE per device and commit, and rewrite the devices table's pages in
    /// the WAL at every commit.
    public var lastSeenSlackMs: EpochMillis = 0
    var healthProbe: Int64 = 0

    /// Opens the database at `path`.
    ///
    /// A writable store creates the file (mode 0600) and any missing folders (mode 0700),
    /// switches the file to WAL and runs pending migrations. A read-only store requires a
    /// file whose schema is already current.
    /// - Parameter busyTimeoutMilliseconds: how long a call waits for another connection's lock
    ///   before failing with `SQLiteError.Remedy.retryLater`.
    public init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5000)
        throws(SQLiteError)
    {
        self.path = path
        self.isReadOnly = readOnly
        if !readOnly { try Store.createFileIfMissing(path: path) }
        connection = try SQLiteConnection(path: path, readOnly: readOnly)
        try connection.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        try connection.exec("PRAGMA foreign_keys = ON", "enable foreign keys")
        if readOnly {
            try checkSchemaIsCurrent()
        } else {
            try connection.exec("PRAGMA journal_mode = WAL", "switch to WAL")
            try connection.exec("PRAGMA synchronous = NORMAL", "set synchronous")
            // Bound the WAL file once a checkpoint has emptied it.
            try connection.exec("PRAGMA journal_size_limit = 67108864", "limit WAL size")
            // Room for the tail pages of a few thousand devices, which a batch touches.
            try connection.exec("PRAGMA cache_size = -16384", "set cache size")
            try migrate()
        }
    }

    deinit { closeConnection() }

    /// Finalizes every statement and closes the connection. Later calls throw `misuse`.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        closeConnection()
    }

    private func closeConnection() {
        stageReadingStatement = nil
        statements.removeAll()
        deviceCache.removeAll()
        connection.close()
    }

    /// Runs `body` holding the connection lock.
    func locked<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The cached statement for `sql`, compiled on first use.
    func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        let key = StatementKey(sql: sql)
        if let cached = statements[key] { return cached }
        let compiled = try connection.prepare(sql)
        statements[key] = compiled
        return compiled
    }

    /// Binds and runs a cached statement, then resets it whatever happens.
    func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws(SQLiteError) -> T)
        throws(SQLiteError) -> T
    {
        let stmt = try statement(sql)
        defer { stmt.reset() }
        return try body(stmt)
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ operation: String, bind: (SQLiteStatement) throws(SQLiteError) -> Void)
        throws(SQLiteError) -> Int
    {
        try withStatement(sql) { stmt throws(SQLiteError) in
            try bind(stmt)
            _ = try stmt.step(operation)
            return connection.changes
        }
    }

    /// Runs a query and maps every row.
    func query<T>(
        _ sql: String, _ operation: String, bind: (SQLiteStatement) throws(SQLiteError) -> Void,
        row: (SQLiteStatement) -> T
    ) throws(SQLiteError) -> [T] {
        try withStatement(sql) { stmt throws(SQLiteError) in
            try bind(stmt)
            var out: [T] = []
            while try stmt.step(operation) { out.append(row(stmt)) }
            return out
        }
    }

    func requireWritable(_ operation: String) throws(SQLiteError) {
        if isReadOnly {
            throw SQLiteError(code: SQLiteError.readOnly, message: "\(operation): store opened read-only")
        }
    }
}

/// A cached statement's SQL as a dictionary key that hashes cheaply: its length and its last 32 bytes
/// (hashing all of a few hundred bytes of SQL cost a fold a noticeable share of its time). Equality
/// compares the whole text, so two statements that hash alike are still told apart.
struct StatementKey: Hashable {
    let sql: String

    func hash(into hasher: inout Hasher) {
        let utf8 = sql.utf8
        hasher.combine(utf8.count)
        let hashed: Bool? = utf8.withContiguousStorageIfAvailable { buf in
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buf.suffix(32))))
            return true
        }
        if hashed == nil { for byte in utf8.suffix(32) { hasher.combine(byte) } }
    }
}
