extension Store {
    /// Runs `body` in one write transaction: `BEGIN IMMEDIATE` … `COMMIT`, rolled back if
    /// `body` throws (the error is rethrown) or the commit fails.
    ///
    /// Store calls made inside `body` join the transaction. A nested `inTransaction` becomes a
    /// savepoint: its own failure rolls back only its part.
    ///
    /// - Parameter durable: commit with `synchronous=FULL`. The connection otherwise runs with
    ///   `synchronous=NORMAL`, which in WAL mode survives a crash of Anxin but may lose the last
    ///   commits on power loss: right for reading batches, whose loss window is stated anyway,
    ///   wrong for an emergency, which the pipeline must not lose once committed. FULL makes
    ///   the commit fsync the WAL before returning, and because the fsync covers the whole file
    ///   it also hardens every earlier NORMAL commit. SQLite refuses to change `synchronous`
    ///   inside a transaction, so durability is chosen here, before `BEGIN`, and the level goes
    ///   back to NORMAL after the commit. `enqueueIncident` throws unless its transaction is
    ///   durable, so an incident can never ride in a NORMAL commit.
    @discardableResult
    public func inTransaction<T>(durable: Bool = false, _ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if transactionDepth > 0 {
            if durable && !transactionIsDurable { throw notDurable("nest a durable transaction") }
            return try inSavepoint(body)
        }
        try begin(durable: durable)
        let result: T
        do {
            result = try body()
        } catch {
            rollback()
            throw error
        }
        try commit()
        return result
    }

    /// How a Store write wants to be committed.
    enum Durability {
        /// synchronous=NORMAL when it runs on its own; joins any open transaction.
        case normal
        /// FULL when it runs on its own (staff actions); joins any open transaction.
        case preferred
        /// FULL, and an open transaction must be durable too, or the write throws (incidents).
        case required
    }

    /// Internal form for Store's own writes: joins an open transaction, or runs in its own.
    @discardableResult
    func writeTransaction<T>(
        _ operation: String, durability: Durability = .normal, _ body: () throws(SQLiteError) -> T
    ) throws(SQLiteError) -> T {
        try requireWritable(operation)
        lock.lock()
        defer { lock.unlock() }
        if transactionDepth > 0 {
            if durability == .required && !transactionIsDurable { throw notDurable(operation) }
            return try body()
        }
        try begin(durable: durability != .normal)
        let result: T
        do throws(SQLiteError) {
            result = try body()
        } catch {
            rollback()
            throw error
        }
        try commit()
        return result
    }

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool {
        lock.lock()
        defer { lock.unlock() }
        return transactionDepth > 0
    }

    private func notDurable(_ operation: String) -> SQLiteError {
        SQLiteError(
            code: SQLiteError.misuse,
            message:
                "\(operation): needs inTransaction(durable: true), this transaction commits with synchronous=NORMAL")
    }

    private func begin(durable: Bool) throws(SQLiteError) {
        try requireWritable("begin transaction")
        if durable { try connection.exec("PRAGMA synchronous = FULL", "set synchronous for a durable commit") }
        do throws(SQLiteError) {
            try connection.exec("BEGIN IMMEDIATE", "begin transaction")
        } catch {
            if durable { restoreNormalSync() }
            throw error
        }
        transactionDepth = 1
        transactionIsDurable = durable
    }

    private func commit() throws(SQLiteError) {
        do throws(SQLiteError) {
            try flushDevices()
            try connection.exec("COMMIT", "commit transaction")
        } catch {
            rollback()
            throw error
        }
        endTransaction()
    }

    /// Rolls back whatever is open. The device cache may name rows that no longer exist, so it
    /// is dropped and rebuilt from the table on the next reading.
    func rollback() {
        if !connection.isAutocommit { try? connection.exec("ROLLBACK", "roll back transaction") }
        deviceCache.removeAll()
        dirtyDevices.removeAll()
        endTransaction()
    }

    private func endTransaction() {
        if transactionIsDurable { restoreNormalSync() }
        transactionDepth = 0
        transactionIsDurable = false
    }

    private func restoreNormalSync() {
        // If this fails the connection stays at FULL: slower, never less safe.
        try? connection.exec("PRAGMA synchronous = NORMAL", "restore synchronous")
    }

    private func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        let name = "anxin_\(transactionDepth)"
        try connection.exec("SAVEPOINT \(name)", "open savepoint")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let result = try body()
            try connection.exec("RELEASE \(name)", "release savepoint")
            return result
        } catch {
            try? connection.exec("ROLLBACK TO \(name)", "roll back savepoint")
            try? connection.exec("RELEASE \(name)", "release savepoint")
            deviceCache.removeAll()
            dirtyDevices.removeAll()
            throw error
        }
    }
}
