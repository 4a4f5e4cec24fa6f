// The one file in Anxin that imports the SQLite C API. Everything else in Store talks to
// `SQLiteConnection` and `SQLiteStatement`, and every sqlite3 return code passes through
// `sqliteCheck`.
import CSQLite

/// Turns an sqlite3 return code into a typed error: OK, ROW and DONE pass, anything else throws.
///
/// The message is the operation (a fixed phrase chosen by Store) plus SQLite's explanation.
/// SQLite's messages name tables, columns and constraints, never bound values, and Store binds
/// every value, so nothing from a resident or a device reaches the text.
func sqliteCheck(_ rc: Int32, _ db: OpaquePointer?, _ operation: @autoclosure () -> String)
    throws(SQLiteError)
{
    if rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE { return }
    var detail = String(cString: sqlite3_errstr(rc))
    if let db, sqlite3_errcode(db) == rc, let msg = sqlite3_errmsg(db) {
        detail = String(cString: msg)
    }
    throw SQLiteError(code: rc & 0xFF, message: "\(operation()): \(detail)")
}

/// One open database handle. Not thread-safe on its own: `Store` serializes every use.
final class SQLiteConnection {
    private var db: OpaquePointer?

    /// Opens (and for a writable connection creates) the database file.
    init(path: String, readOnly: Bool) throws(SQLiteError) {
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        do throws(SQLiteError) {
            try sqliteCheck(rc, handle, "open database \(path)")
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
        db = handle
    }

    deinit { close() }

    var isOpen: Bool { db != nil }

    /// Closes the handle. Statements still alive keep it as a zombie until they are finalized.
    func close() {
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    private func handle(_ operation: @autoclosure () -> String) throws(SQLiteError) -> OpaquePointer {
        guard let db else { throw SQLiteError(code: SQLiteError.misuse, message: "\(operation()): store is closed") }
        return db
    }

    /// Runs SQL text that carries no values (schema, pragmas, BEGIN/COMMIT).
    func exec(_ sql: String, _ operation: @autoclosure () -> String) throws(SQLiteError) {
        let db = try handle(operation())
        try sqliteCheck(sqlite3_exec(db, sql, nil, nil, nil), db, operation())
    }

    /// Compiles one statement meant to be kept and reused.
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        let db = try handle("prepare statement")
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        try sqliteCheck(rc, db, "prepare statement")
        guard let stmt else { throw SQLiteError(code: SQLiteError.misuse, message: "prepare statement: empty SQL") }
        return SQLiteStatement(stmt, db: db)
    }

    func setBusyTimeout(milliseconds: Int32) throws(SQLiteError) {
        let db = try handle("set busy timeout")
        // Polls every 0.25 ms rather than SQLite's growing sleeps (shim.h).
        try sqliteCheck(anxin_sqlite_set_busy_poll(db, milliseconds), db, "set busy timeout")
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { db.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// True when no transaction is open.
    var isAutocommit: Bool { db.map { sqlite3_get_autocommit($0) != 0 } ?? true }

    /// True when the main database was opened read-only or is on a read-only file.
    var isReadOnlyFile: Bool { db.map { sqlite3_db_readonly($0, "main") == 1 } ?? true }

    /// Copies this connection's main database into `destination` with SQLite's online backup API.
    ///
    /// One `sqlite3_backup_step(-1)` copies every page inside one read transaction, so the copy
    /// is a consistent snapshot; in WAL mode other connections keep writing meanwhile. A step
    /// that meets a lock (BUSY, LOCKED) is retried up to `busyRetries` times, `retryDelayMs` apart.
    func backup(into destination: SQLiteConnection, busyRetries: Int = 50, retryDelayMs: UInt32 = 100)
        throws(SQLiteError)
    {
        let source = try handle("back up database")
        let target = try destination.handle("back up database")
        guard let backup = sqlite3_backup_init(target, "main", source, "main") else {
            try sqliteCheck(sqlite3_errcode(target), target, "start backup")
            throw SQLiteError(code: SQLiteError.error, message: "start backup: no backup handle")
        }
        var rc = sqlite3_backup_step(backup, -1)
        var retries = 0
        while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && retries < busyRetries {
            retries += 1
            sqlite3_sleep(Int32(retryDelayMs))
            rc = sqlite3_backup_step(backup, -1)
        }
        // finish releases the handle whatever happened; it repeats a step's error code.
        let finished = sqlite3_backup_finish(backup)
        if rc != SQLITE_DONE {
            try sqliteCheck(rc, target, "copy database pages")
            throw SQLiteError(code: SQLiteError.error, message: "copy database pages: backup did not complete")
        }
        try sqliteCheck(finished, target, "finish backup")
    }
}

/// A compiled statement. Binding indexes and column indexes follow SQLite (bind from 1, column from 0).
final class SQLiteStatement {
    private let stmt: OpaquePointer
    private let db: OpaquePointer

    fileprivate init(_ stmt: OpaquePointer, db: OpaquePointer) {
        self.stmt = stmt
        self.db = db
    }

    deinit { sqlite3_finalize(stmt) }

    func bind(_ index: Int32, _ value: Int64) throws(SQLiteError) {
        try sqliteCheck(sqlite3_bind_int64(stmt, index, value), db, "bind integer")
    }

    func bind(_ index: Int32, _ value: Int) throws(SQLiteError) {
        try bind(index, Int64(value))
    }

    func bind(_ index: Int32, _ value: Double) throws(SQLiteError) {
        try sqliteCheck(sqlite3_bind_double(stmt, index, value), db, "bind real")
    }

    func bindNull(_ index: Int32) throws(SQLiteError) {
        try sqliteCheck(sqlite3_bind_null(stmt, index), db, "bind null")
    }

    func bind(_ index: Int32, _ value: Int64?) throws(SQLiteError) {
        if let value { try bind(index, value) } else { try bindNull(index) }
    }

    func bind(_ index: Int32, _ value: Double?) throws(SQLiteError) {
        if let value { try bind(index, value) } else { try bindNull(index) }
    }

    func bind(_ index: Int32, _ value: String?) throws(SQLiteError) {
        guard var value else { return try bindNull(index) }
        let rc = value.withUTF8 { buf -> Int32 in
            guard let base = buf.baseAddress, buf.count > 0 else {
                return sqlite3_bind_text(stmt, index, "", 0, anxin_sqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                sqlite3_bind_text(stmt, index, $0, Int32(buf.count), anxin_sqlite_transient())
            }
        }
        try sqliteCheck(rc, db, "bind text")
    }

    func bind(_ index: Int32, _ value: [UInt8]?) throws(SQLiteError) {
        guard let value else { return try bindNull(index) }
        let rc = value.withUnsafeBytes { buf -> Int32 in
            guard let base = buf.baseAddress, buf.count > 0 else { return sqlite3_bind_zeroblob(stmt, index, 0) }
            return sqlite3_bind_blob(stmt, index, base, Int32(buf.count), anxin_sqlite_transient())
        }
        try sqliteCheck(rc, db, "bind blob")
    }

    /// Advances one row: true when a row is ready to read, false when done.
    func step(_ operation: @autoclosure () -> String) throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        // Reset now so the statement is usable again; its own return repeats the step's code.
        sqlite3_reset(stmt)
        try sqliteCheck(rc, db, operation())
        return false
    }

    /// Makes the statement ready to run again. Bindings stay; every use rebinds all of them.
    func reset() { sqlite3_reset(stmt) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(stmt, column)) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(stmt, column) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, column) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    func blob(_ column: Int32) -> [UInt8] {
        let p = sqlite3_column_blob(stmt, column)
        let n = Int(sqlite3_column_bytes(stmt, column))
        guard n > 0, let p else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: p, count: n))
    }

    /// The column's bytes in place, valid only inside `body` (no copy).
    func withBlob<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let p = sqlite3_column_blob(stmt, column)
        let n = Int(sqlite3_column_bytes(stmt, column))
        guard n > 0, let p else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return body(UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: n))
    }

    func optionalBlob(_ column: Int32) -> [UInt8]? { isNull(column) ? nil : blob(column) }
}
