import AnxinCore

/// What one `Store.foldStagedReadings` call did.
public struct FoldOutcome: Sendable, Hashable {
    /// Staged rows taken (purged ones included).
    public var taken = 0
    /// Rows that went into the clustered table; the rest repeated a stored reading or were purged.
    public var stored = 0
    /// True when more rows were staged than one fold takes: call again.
    public var more = false

    public init(taken: Int = 0, stored: Int = 0, more: Bool = false) {
        self.taken = taken
        self.stored = stored
        self.more = more
    }
}

/// A fold under way, done a step at a time (`Store.foldStep`): its rows sorted into a temporary
/// table, then written `chunkRows` at a time, then deleted from the stage.
public struct FoldBatch: Sendable, Hashable {
    /// The staged rowids it took.
    let first: Int64
    let last: Int64
    /// Rows sorted into the temporary table (1...taken), and the next one to write.
    public let taken: Int
    var next: Int64 = 1
    /// Rows written into the clustered table so far.
    public internal(set) var stored = 0
    /// More rows were staged than the batch took.
    public let more: Bool
    /// Rowids staged past the batch when it began (about how many rows wait for the next folds).
    public let behind: Int64
    public var written: Bool { next > Int64(taken) }
}

extension Store {
    /// Moves staged readings (`stageReading`) into the clustered `readings` table, sorted by its key,
    /// so each leaf page is rewritten once for all the rows it gains; then deletes them from the stage.
    ///
    /// The whole fold at once (start-up, stop, tests); the pipeline folds a step at a time between
    /// messages (`beginFold`, `foldStep`), so nothing ever waits long for it. Never inside a
    /// transaction. A crash at any point leaves the rows staged, and the next fold writes them again:
    /// a repeat is ignored by the key.
    public func foldStagedReadings(maxRows: Int = 300_000, chunkRows: Int = 2_000) throws(SQLiteError)
        -> FoldOutcome
    {
        try foldStagedReadings(maxRows: maxRows, chunkRows: chunkRows, afterSort: nil)
    }

    /// `afterSort` runs between the sort and the writes (tests: another connection purges there).
    func foldStagedReadings(maxRows: Int, chunkRows: Int, afterSort: (() throws(SQLiteError) -> Void)?)
        throws(SQLiteError) -> FoldOutcome
    {
        guard var batch = try beginFold(maxRows: maxRows) else { return FoldOutcome() }
        try afterSort?()
        while !batch.written { try foldStep(&batch, chunkRows: chunkRows) }
        try finishFold(batch, chunkRows: chunkRows)
        return FoldOutcome(taken: batch.taken, stored: batch.stored, more: batch.more)
    }

    /// Sorts the oldest `maxRows` staged rows by the clustered key into this connection's temporary
    /// table (a read of the database: no write lock). Nil when nothing is staged.
    public func beginFold(maxRows: Int) throws(SQLiteError) -> FoldBatch? {
        try requireWritable("fold staged readings")
        return try locked { () throws(SQLiteError) -> FoldBatch? in
            if transactionDepth > 0 {
                throw SQLiteError(code: SQLiteError.misuse, message: "fold staged readings: inside a transaction")
            }
            try prepareFoldTable()
            let bounds = try query(
                "SELECT min(rowid), max(rowid) FROM readings_stage", "find staged readings",
                bind: { _ throws(SQLiteError) in }, row: { s in (s.optionalInt64(0), s.optionalInt64(1)) }
            ).first
            guard let lo = bounds?.0, let last = bounds?.1 else { return nil }
            let hi = min(last, lo + Int64(max(1, maxRows)) - 1)
            try connection.exec("DELETE FROM temp.fold_batch", "clear the fold batch")
            try execute(
                """
                INSERT INTO temp.fold_batch
                SELECT rowid, device_ref, kind, measured_at, value, received_lag, flags, lon, accuracy_m
                FROM main.readings_stage WHERE rowid BETWEEN ? AND ? AND device_ref > 0
                ORDER BY device_ref, kind, measured_at, value
                """, "sort staged readings"
            ) { s throws(SQLiteError) in
                try s.bind(1, lo)
                try s.bind(2, hi)
            }
            return FoldBatch(first: lo, last: hi, taken: connection.changes, more: hi < last, behind: last - hi)
        }
    }

    /// Writes the batch's next `chunkRows` rows into the clustered table in one transaction (the
    /// longest any writer waits for a fold). A row is written only while it is still staged under
    /// the same device, so a resident purged meanwhile (`anxin purge`, another process) stays purged.
    public func foldStep(_ batch: inout FoldBatch, chunkRows: Int) throws(SQLiteError) {
        guard !batch.written else { return }
        let from = batch.next
        let to = from + Int64(max(1, chunkRows)) - 1
        batch.stored += try writeTransaction("fold staged readings", durability: .preferred) {
            () throws(SQLiteError) -> Int in
            try execute(
                """
                INSERT OR IGNORE INTO main.readings
                    (device_ref, kind, measured_at, value, received_lag, flags, lon, accuracy_m)
                SELECT f.device_ref, f.kind, f.measured_at, f.value, f.received_lag, f.flags, f.lon, f.accuracy_m
                FROM temp.fold_batch f
                WHERE f.rowid BETWEEN ? AND ? AND EXISTS (
                    SELECT 1 FROM main.readings_stage s WHERE s.rowid = f.src AND s.device_ref = f.device_ref)
                ORDER BY f.rowid
                """, "fold staged readings"
            ) { s throws(SQLiteError) in
                try s.bind(1, from)
                try s.bind(2, to)
            }
        }
        batch.next = to + 1
    }

    /// Deletes a written batch's rows from the stage, `4 * chunkRows` rowids per transaction: only
    /// now is every one of them in the clustered table.
    public func finishFold(_ batch: FoldBatch, chunkRows: Int) throws(SQLiteError) {
        precondition(batch.written, "finishFold before every row was written")
        var start = batch.first
        while start <= batch.last {
            let end = min(batch.last, start + Int64(max(1, chunkRows)) * 4 - 1)
            try writeTransaction("delete folded readings", durability: .preferred) { () throws(SQLiteError) in
                try execute(
                    "DELETE FROM main.readings_stage WHERE rowid BETWEEN ? AND ?", "delete folded readings"
                ) { s throws(SQLiteError) in
                    try s.bind(1, start)
                    try s.bind(2, end)
                }
            }
            start = end + 1
        }
        try locked { () throws(SQLiteError) in
            try connection.exec("DELETE FROM temp.fold_batch", "clear the fold batch")
        }
    }

    /// Staged rows not yet folded (purged ones included): for tests and metrics, it counts the table.
    public func stagedReadingCount() throws(SQLiteError) -> Int {
        try locked { () throws(SQLiteError) -> Int in
            try query(
                "SELECT count(*) FROM readings_stage", "count staged readings", bind: { _ throws(SQLiteError) in },
                row: { s in s.int(0) }
            ).first ?? 0
        }
    }

    /// The fold's temporary table, in memory, created on this connection's first fold.
    private func prepareFoldTable() throws(SQLiteError) {
        if foldTableReady { return }
        // Setting temp_store drops temporary tables, so it comes first.
        try connection.exec("PRAGMA temp_store = MEMORY", "keep the fold batch in memory")
        try connection.exec(
            """
            CREATE TEMP TABLE IF NOT EXISTS fold_batch (
                src INTEGER NOT NULL, device_ref INTEGER NOT NULL, kind INTEGER NOT NULL,
                measured_at INTEGER NOT NULL, value REAL NOT NULL, received_lag INTEGER NOT NULL,
                flags INTEGER NOT NULL, lon REAL, accuracy_m REAL)
            """, "create the fold batch")
        foldTableReady = true
    }
}
