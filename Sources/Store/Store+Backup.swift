import Foundation

extension Store {
    /// Writes a consistent copy of the whole database to a new file at `path` (mode 0600, its
    /// missing folders 0700), using SQLite's online backup API.
    ///
    /// Safe while other connections write (WAL). The copy is left in rollback-journal mode so
    /// it is one self-contained file; a writable `Store` switches it back to WAL when opened.
    /// Throws `cantOpen` when `path` already exists: a backup never overwrites.
    public func backup(toFile path: String) throws(SQLiteError) {
        if FileManager.default.fileExists(atPath: path) {
            throw SQLiteError(code: SQLiteError.cantOpen, message: "back up database: \(path) already exists")
        }
        try Store.createFileIfMissing(path: path)
        let destination = try SQLiteConnection(path: path, readOnly: false)
        defer { destination.close() }
        try locked { () throws(SQLiteError) in
            try connection.backup(into: destination)
        }
        try destination.exec("PRAGMA journal_mode = DELETE", "leave the copy as one file")
    }

    /// Runs `PRAGMA integrity_check` on the database file at `path` without changing it and
    /// without requiring this build's schema: "ok", or SQLite's list of problems, one per line.
    ///
    /// For a file about to be restored; it must not be in WAL mode with a live WAL.
    public static func integrityCheck(path: String) throws(SQLiteError) -> String {
        let connection = try SQLiteConnection(path: path, readOnly: true)
        defer { connection.close() }
        let stmt = try connection.prepare("PRAGMA integrity_check")
        var lines: [String] = []
        while try stmt.step("check integrity") { lines.append(stmt.text(0)) }
        return lines.joined(separator: "\n")
    }
}
