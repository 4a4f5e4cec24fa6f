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

/// A fold under way, done a step at a time (`Store.foldStep`): its rows read and sorted in memory by
/// device, kind and time, then merged into the history `chunkRows` at a time, then deleted from the stage.
public struct FoldBatch: Sendable, Hashable {
    /// The staged rowids it took.
    let first: Int64
    let last: Int64
    /// Rows taken (0..<taken, held by the store that began the fold), and the next one to write.
    public let taken: Int
    var next = 0
    /// Rows that were new to the history so far.
    public internal(set) var stored = 0
    /// More rows were staged than the batch took.
    public let more: Bool
    /// Rowids staged past the batch when it began (about how many rows wait for the next folds).
    public let behind: Int64
    public var written: Bool { next >= taken }
}

/// A staged row taken by a fold, 64 bytes: a fold holds up to `maxRows` of them (and the sort as
/// many again), so they are kept flat (device and kind in one word, no optionals).
struct FoldRow {
    let src: Int64
    /// device_ref << 8 | kind: the fold's groups.
    let group: Int64
    let measuredAt: Int64
    let value: Double
    let receivedLag: Int64
    let flags: Int64
    /// NaN when absent (SQLite stores a NaN as NULL, so no stored value is NaN).
    let lon: Double
    let accuracyM: Double

    var deviceRef: Int64 { group >> 8 }
    var kind: Int64 { group & 0xFF }
    var row: StoredRow {
        StoredRow(
            measuredAt: measuredAt, value: value, receivedLag: receivedLag, flags: flags,
            lon: lon.isNaN ? nil : lon, accuracyM: accuracyM.isNaN ? nil : accuracyM)
    }
}

extension Store {
    /// Merges staged readings (`stageReading`) into the history's blocks (`reading_blocks`), then
    /// deletes them from the stage.
    ///
    /// The whole fold at once (start-up, stop, tests); the gateway's folder thread folds a step at a
    /// time (`beginFold`, `foldStep`), so nothing ever waits long for it. Never inside a
    /// transaction. A crash at any point leaves the rows staged, and the next fold merges them again:
    /// a repeat of a stored reading (same device, kind, measured time and value) is dropped.
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

    /// Reads the oldest `maxRows` staged rows and sorts them by device, kind, time and value, in memory
    /// (a read of the database: no write lock). Nil when nothing is staged.
    public func beginFold(maxRows: Int) throws(SQLiteError) -> FoldBatch? {
        try requireWritable("fold staged readings")
        return try locked { () throws(SQLiteError) -> FoldBatch? in
            if transactionDepth > 0 {
                throw SQLiteError(code: SQLiteError.misuse, message: "fold staged readings: inside a transaction")
            }
            foldRows.removeAll(keepingCapacity: true)
            let bounds = try query(
                "SELECT min(rowid), max(rowid) FROM readings_stage", "find staged readings",
                bind: { _ throws(SQLiteError) in }, row: { s in (s.optionalInt64(0), s.optionalInt64(1)) }
            ).first
            guard let lo = bounds?.0, let last = bounds?.1 else { return nil }
            let hi = min(last, lo + Int64(max(1, maxRows)) - 1)
            try withStatement(
                """
                SELECT rowid, device_ref, kind, measured_at, value, received_lag, flags, lon, accuracy_m
                FROM main.readings_stage WHERE rowid BETWEEN ? AND ? AND device_ref > 0
                """
            ) { s throws(SQLiteError) in
                try s.bind(1, lo)
                try s.bind(2, hi)
                foldRows.reserveCapacity(Int(hi - lo + 1))
                while try s.step("read staged readings") {
                    foldRows.append(
                        FoldRow(
                            src: s.int64(0), group: s.int64(1) << 8 | (s.int64(2) & 0xFF), measuredAt: s.int64(3),
                            value: s.double(4), receivedLag: s.int64(5), flags: s.int64(6),
                            lon: s.optionalDouble(7) ?? .nan, accuracyM: s.optionalDouble(8) ?? .nan))
                }
            }
            // Rowid order breaks ties, so of two staged repeats the earlier one is kept.
            foldRows.sort { a, b in
                if a.group != b.group { return a.group < b.group }
                if a.measuredAt != b.measuredAt { return a.measuredAt < b.measuredAt }
                if a.value != b.value { return a.value < b.value }
                return a.src < b.src
            }
            return FoldBatch(first: lo, last: hi, taken: foldRows.count, more: hi < last, behind: last - hi)
        }
    }

    /// Merges the batch's next rows into the history, device and kind by device and kind, in one
    /// transaction of about `chunkRows` rows (the longest any writer waits for a fold). A device's
    /// rows are merged only while they are still staged under it, so a resident purged meanwhile
    /// (`anxin purge`, another process) stays purged.
    public func foldStep(_ batch: inout FoldBatch, chunkRows: Int) throws(SQLiteError) {
        guard !batch.written else { return }
        try locked { () throws(SQLiteError) in
            guard foldRows.count == batch.taken else {
                throw SQLiteError(code: SQLiteError.misuse, message: "fold staged readings: not this store's fold")
            }
            var next = batch.next
            batch.stored += try writeTransaction("fold staged readings", durability: .preferred) {
                () throws(SQLiteError) -> Int in
                var stored = 0
                var purgedRef: Int64 = 0
                var checkedRef: Int64 = 0
                let end = min(foldRows.count, next + max(1, chunkRows))
                while next < end {
                    let first = foldRows[next]
                    var upper = next + 1
                    while upper < foldRows.count, foldRows[upper].group == first.group { upper += 1 }
                    if first.deviceRef != checkedRef {
                        checkedRef = first.deviceRef
                        purgedRef = try isStaged(src: first.src, deviceRef: first.deviceRef) ? 0 : first.deviceRef
                    }
                    if purgedRef != first.deviceRef {
                        stored += try mergeIntoBlocks(
                            ref: first.deviceRef, kind: first.kind, rows: foldRows[next..<upper].lazy.map(\.row))
                    }
                    next = upper
                }
                return stored
            }
            batch.next = next
        }
    }

    /// Whether the staged row `src` is still staged under `deviceRef` (a purge deletes or blanks every
    /// staged row of its devices at once, so one row answers for all of a device's rows in a fold).
    private func isStaged(src: Int64, deviceRef: Int64) throws(SQLiteError) -> Bool {
        try !query(
            "SELECT 1 FROM main.readings_stage WHERE rowid = ? AND device_ref = ?", "check a staged reading",
            bind: { s throws(SQLiteError) in
                try s.bind(1, src)
                try s.bind(2, deviceRef)
            }, row: { _ in true }
        ).isEmpty
    }

    /// Deletes a written batch's rows from the stage, `4 * chunkRows` rowids per transaction: only
    /// now is every one of them in the history.
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
        try locked { () throws(SQLiteError) in foldRows = [] }
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
}
