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
                try connection.exec("PRAGMA user_version = \(version + 1)", "record schema version")
                try connection.exec("COMMIT", "commit migration \(version + 1)")
            } catch {
                if !connection.isAutocommit { try? connection.exec("ROLLBACK", "roll back migration") }
                throw error
            }
        }
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
