extension Store {
    /// The schema version this build writes: the number of migrations.
    public static var schemaVersion: Int { StoreSchema.migrations.count }

    /// The schema version recorded in the file (`PRAGMA user_version`).
    public func storedSchemaVersion() throws(SQLiteError) -> Int {
        try locked { () throws(SQLiteError) -> Int in try readUserVersion() }
    }

    func readUserVersion() throws(SQLiteError) -> Int {
        try withStatement("PRAGMA user_version") { stmt throws(SQLiteError) in
            try stmt.step("read schema version") ? stmt.int(0) : 0
        }
    }

    /// Runs every migration the file has not seen, each in its own transaction. The version is
    /// read again under the write lock, so two processes opening a new file cannot both migrate.
    func migrate() throws(SQLiteError) {
        let migrations = StoreSchema.migrations
        while true {
            try connection.exec("BEGIN IMMEDIATE", "begin migration")
            do throws(SQLiteError) {
                let version = try readUserVersion()
                if version > migrations.count {
                    throw SQLiteError(
                        code: SQLiteError.schema,
                        message: "database schema version \(version) is newer than this build's "
                            + "\(migrations.count): upgrade Anxin or restore a matching backup")
                }
                if version == migrations.count {
                    try connection.exec("COMMIT", "end migration")
                    return
                }
                try connection.exec(migrations[version], "run migration \(version + 1)")
                try afterMigration(version + 1)
                try connection.exec("PRAGMA user_version = \(version + 1)", "record schema version")
                try connection.exec("COMMIT", "commit migration \(version + 1)")
            } catch {
                if !connection.isAutocommit { try? connection.exec("ROLLBACK", "roll back migration") }
                throw error
            }
        }
    }

    /// The steps a migration needs beyond its SQL, in its transaction.
    func afterMigration(_ number: Int) throws(SQLiteError) {
        if number == 6 { try moveStagedRowsIntoPacks() }
    }

    /// Migration 6: every row `readings_stage` holds becomes a pack of one reading, in staged order
    /// (a purged row, device 0, is left out); then the table goes.
    private func moveStagedRowsIntoPacks() throws(SQLiteError) {
        var buffer: [UInt8] = []
        try withStatement(
            """
            SELECT \(Store.readingColumns), device_ref, kind
            FROM readings_stage WHERE device_ref > 0 ORDER BY rowid
            """
        ) { s throws(SQLiteError) in
            while try s.step("read staged readings") {
                buffer.removeAll(keepingCapacity: true)
                ReadingPackCodec.append(
                    kind: UInt8(truncatingIfNeeded: s.int64(7)), StoredRow(s), previous: nil, to: &buffer)
                let ref = s.int64(6)
                try execute(
                    "INSERT INTO reading_packs (device_ref, count, data) VALUES (?, 1, ?)", "move staged readings"
                ) { i throws(SQLiteError) in
                    try i.bind(1, ref)
                    try i.bind(2, buffer)
                }
            }
        }
        try connection.exec("DROP TABLE readings_stage", "drop the old staging table")
    }

    /// A read-only store cannot migrate: it needs the writer to have done so.
    func checkSchemaIsCurrent() throws(SQLiteError) {
        let version = try readUserVersion()
        if version != StoreSchema.migrations.count {
            throw SQLiteError(
                code: SQLiteError.schema,
                message: "database schema version \(version) is not this build's "
                    + "\(StoreSchema.migrations.count): open it writable first to migrate")
        }
    }
}
