import Foundation

extension Store {
    /// Whether this store can commit a write now, for `/healthz`.
    ///
    /// A writable store proves it: it commits a one-row change to `meta` (waiting at most the
    /// busy timeout for the lock), which fails on a read-only file, a full disk or a broken
    /// one. Inside an open transaction it answers true without writing. A read-only store
    /// cannot write by design: it answers whether the database file and its folder are
    /// writable by this process, which is what the writer needs.
    public func isWritable() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard connection.isOpen else { return false }
        if isReadOnly {
            let folder = (path as NSString).deletingLastPathComponent
            return access(path, W_OK) == 0 && access(folder.isEmpty ? "." : folder, W_OK) == 0
        }
        if transactionDepth > 0 { return true }
        if connection.isReadOnlyFile { return false }
        healthProbe &+= 1
        let probe = String(healthProbe)
        do {
            try setMeta("health_probe", probe)
            return true
        } catch {
            return false
        }
    }

    /// `PRAGMA integrity_check`: "ok", or SQLite's list of problems, one per line.
    public func integrityCheck() throws(SQLiteError) -> String {
        try locked { () throws(SQLiteError) -> String in
            try query(
                "PRAGMA integrity_check", "check integrity", bind: { _ throws(SQLiteError) in },
                row: { s in s.text(0) }
            ).joined(separator: "\n")
        }
    }

    /// Moves the WAL's content into the database file and empties the WAL
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`). For backups, tests and quiet moments.
    public func checkpoint() throws(SQLiteError) {
        try locked { () throws(SQLiteError) in
            try connection.exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint WAL")
        }
    }

    /// Copies what it can of the WAL into the database file without waiting for or blocking any
    /// reader or writer (`PRAGMA wal_checkpoint(PASSIVE)`); the WAL starts over once a checkpoint
    /// has copied all of it. The gateway's folder runs it, so no commit of the pipeline ever does.
    public func checkpointPassive() throws(SQLiteError) {
        try locked { () throws(SQLiteError) in
            try connection.exec("PRAGMA wal_checkpoint(PASSIVE)", "checkpoint WAL")
        }
    }

    /// Size of the database file's pages (`page_count * page_size`), WAL not included.
    public func databaseBytes() throws(SQLiteError) -> Int64 {
        try locked { () throws(SQLiteError) -> Int64 in
            let pages =
                try query(
                    "PRAGMA page_count", "read page count", bind: { _ throws(SQLiteError) in }, row: { s in s.int64(0) }
                ).first ?? 0
            let size =
                try query(
                    "PRAGMA page_size", "read page size", bind: { _ throws(SQLiteError) in }, row: { s in s.int64(0) }
                ).first ?? 0
            return pages * size
        }
    }
}

extension Store {
    /// The value of a pragma that reads as one row (`journal_mode`, `synchronous`…), as text.
    func pragma(_ name: String) throws(SQLiteError) -> String {
        try locked { () throws(SQLiteError) -> String in
            try query("PRAGMA \(name)", "read pragma", bind: { _ throws(SQLiteError) in }, row: { s in s.text(0) })
                .first ?? ""
        }
    }
}
