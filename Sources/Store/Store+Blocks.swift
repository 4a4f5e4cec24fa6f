import AnxinCore

/// The history's blocks (`reading_blocks`, ReadingBlock.swift): merging readings in, reading them back,
/// deleting them. Callers hold the lock; writers are inside a write transaction.
extension Store {
    /// Merges `rows` (one device's readings of one kind, sorted by `StoredRow.precedes`, repeats
    /// allowed) into the device's blocks; the number of rows that were new.
    ///
    /// The usual case is one statement (`appendInPlace`). Otherwise it reads the blocks the rows' time
    /// range touches, in one query: the block starting at or before the first row and every block
    /// starting within the range. The first of them is left alone when it ends before the first row
    /// and is at least half full (the rows start a block of their own after it, as when a device's
    /// last block filled up); the others are decoded, merged with the rows and written back, each
    /// under its own key where the merge keeps it, so a reading that shares its second with the last
    /// stored one, or a buffered upload that reaches back into the last block, costs a read and a
    /// rewrite of that block: three statements.
    func mergeIntoBlocks(ref: Int64, kind: Int64, rows: some BidirectionalCollection<StoredRow>)
        throws(SQLiteError) -> Int
    {
        guard let lo = rows.first?.measuredAt, let hi = rows.last?.measuredAt else { return 0 }
        if let appended = try appendInPlace(ref: ref, kind: kind, rows: rows, from: lo) { return appended }
        var touched = try query(
            """
            SELECT first_at, last_at, count, data FROM reading_blocks
            WHERE device_ref = ?1 AND kind = ?2 AND first_at <= ?4 AND first_at >= coalesce(
                (SELECT max(first_at) FROM reading_blocks WHERE device_ref = ?1 AND kind = ?2 AND first_at <= ?3), ?3)
            ORDER BY first_at
            """, "read reading blocks",
            bind: { s throws(SQLiteError) in
                try s.bind(1, ref)
                try s.bind(2, kind)
                try s.bind(3, lo)
                try s.bind(4, hi)
            },
            row: { s in
                ReadingBlockCodec.Block(firstAt: s.int64(0), lastAt: s.int64(1), count: s.int(2), data: s.blob(3))
            })
        if let first = touched.first, first.lastAt < lo, first.data.count >= ReadingBlockCodec.targetBytes / 2 {
            touched.removeFirst()
        }
        var stored: [StoredRow] = []
        for block in touched {
            // A block that does not decode (a damaged file) is replaced by what the merge writes: its
            // readings were unreadable already.
            if let rows = ReadingBlockCodec.decode(block.data, firstAt: block.firstAt, count: block.count) {
                stored.append(contentsOf: rows)
            }
        }
        let merged = ReadingBlockCodec.merge(stored: stored, new: rows)
        let added = merged.count - stored.count
        if added == 0 { return 0 }
        let blocks = ReadingBlockCodec.encode(merged)
        for block in touched where !blocks.contains(where: { $0.firstAt == block.firstAt }) {
            try deleteBlock(ref: ref, kind: kind, firstAt: block.firstAt)
        }
        for block in blocks { try insertBlock(ref: ref, kind: kind, block) }
        return added
    }

    /// The usual case of a fold, in one statement: every row is newer than the device's last block,
    /// and they fit in it. SQLite appends their encoding (the first row with its absolute time) to
    /// the block without the block ever being read here. Nil when that is not the case.
    private func appendInPlace(ref: Int64, kind: Int64, rows: some Collection<StoredRow>, from lo: Int64)
        throws(SQLiteError) -> Int?
    {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(rows.count * 8)
        var previous: StoredRow?
        var added = 0
        for row in rows {
            if let p = previous, p.sameReading(as: row) { continue }
            ReadingBlockCodec.append(row, after: previous?.measuredAt, to: &encoded)
            previous = row
            added += 1
        }
        guard let newest = previous, encoded.count < ReadingBlockCodec.targetBytes else { return nil }
        let changed = try execute(
            """
            UPDATE reading_blocks SET data = CAST(data || ?1 AS BLOB), last_at = ?2, count = count + ?3
            WHERE device_ref = ?4 AND kind = ?5
                AND first_at = (SELECT max(first_at) FROM reading_blocks WHERE device_ref = ?4 AND kind = ?5)
                AND last_at < ?6 AND length(data) + ?7 <= ?8
            """, "append to a reading block"
        ) { s throws(SQLiteError) in
            try s.bind(1, encoded)
            try s.bind(2, newest.measuredAt)
            try s.bind(3, added)
            try s.bind(4, ref)
            try s.bind(5, kind)
            try s.bind(6, lo)
            try s.bind(7, encoded.count)
            try s.bind(8, ReadingBlockCodec.targetBytes)
        }
        return changed == 1 ? added : nil
    }

    /// Writes a block, replacing the one stored under its key (device, kind, first time) if any.
    func insertBlock(ref: Int64, kind: Int64, _ block: ReadingBlockCodec.Block) throws(SQLiteError) {
        try execute(
            """
            INSERT OR REPLACE INTO reading_blocks (device_ref, kind, first_at, last_at, count, data)
            VALUES (?, ?, ?, ?, ?, ?)
            """, "write reading block"
        ) { s throws(SQLiteError) in
            try s.bind(1, ref)
            try s.bind(2, kind)
            try s.bind(3, block.firstAt)
            try s.bind(4, block.lastAt)
            try s.bind(5, block.count)
            try s.bind(6, block.data)
        }
    }

    func deleteBlock(ref: Int64, kind: Int64, firstAt: Int64) throws(SQLiteError) {
        try execute(
            "DELETE FROM reading_blocks WHERE device_ref = ? AND kind = ? AND first_at = ?", "delete reading block"
        ) { s throws(SQLiteError) in
            try s.bind(1, ref)
            try s.bind(2, kind)
            try s.bind(3, firstAt)
        }
    }

    /// One device's readings of one kind measured at or after `since`, newest first, at most `limit`.
    func blockRows(ref: Int64, kind: Int64, since: EpochMillis, limit: Int) throws(SQLiteError) -> [StoredRow] {
        guard limit > 0 else { return [] }
        return try withStatement(
            """
            SELECT first_at, count, data FROM reading_blocks
            WHERE device_ref = ?1 AND kind = ?2 AND first_at >= coalesce(
                (SELECT max(first_at) FROM reading_blocks WHERE device_ref = ?1 AND kind = ?2 AND first_at <= ?3), ?3)
            ORDER BY first_at DESC
            """
        ) { s throws(SQLiteError) -> [StoredRow] in
            try s.bind(1, ref)
            try s.bind(2, kind)
            try s.bind(3, since)
            var out: [StoredRow] = []
            while out.count < limit, try s.step("read reading blocks") {
                guard let rows = ReadingBlockCodec.decode(s.blob(2), firstAt: s.int64(0), count: s.int(1)) else {
                    continue
                }
                for row in rows.reversed() where row.measuredAt >= since {
                    out.append(row)
                    if out.count == limit { break }
                }
            }
            return out
        }
    }

    /// One device's latest reading of one kind (the greatest value among those measured at that time).
    func latestBlockRow(ref: Int64, kind: Int64) throws(SQLiteError) -> StoredRow? {
        try withStatement(
            """
            SELECT first_at, count, data FROM reading_blocks
            WHERE device_ref = ? AND kind = ? ORDER BY first_at DESC
            """
        ) { s throws(SQLiteError) -> StoredRow? in
            try s.bind(1, ref)
            try s.bind(2, kind)
            while try s.step("read the latest reading block") {
                if let last = ReadingBlockCodec.decode(s.blob(2), firstAt: s.int64(0), count: s.int(1))?.last {
                    return last
                }
            }
            return nil
        }
    }

    /// Deletes one device's readings of one kind measured before `cutoff`: whole blocks, and the
    /// older part of the block that straddles it. The number of readings deleted.
    func pruneBlocks(ref: Int64, kind: Int64, before cutoff: EpochMillis) throws(SQLiteError) -> Int {
        let old = try query(
            """
            SELECT first_at, last_at, count, data FROM reading_blocks
            WHERE device_ref = ? AND kind = ? AND first_at < ?
            """, "read expired reading blocks",
            bind: { s throws(SQLiteError) in
                try s.bind(1, ref)
                try s.bind(2, kind)
                try s.bind(3, cutoff)
            },
            row: { s in
                ReadingBlockCodec.Block(firstAt: s.int64(0), lastAt: s.int64(1), count: s.int(2), data: s.blob(3))
            })
        var deleted = 0
        for block in old {
            try deleteBlock(ref: ref, kind: kind, firstAt: block.firstAt)
            guard block.lastAt >= cutoff,
                let rows = ReadingBlockCodec.decode(block.data, firstAt: block.firstAt, count: block.count)
            else {
                deleted += block.count
                continue
            }
            let kept = rows.filter { $0.measuredAt >= cutoff }
            deleted += rows.count - kept.count
            for b in ReadingBlockCodec.encode(kept) { try insertBlock(ref: ref, kind: kind, b) }
        }
        return deleted
    }

    /// Deletes every block of one device; the number of readings they held.
    func deleteBlocks(ref: Int64) throws(SQLiteError) -> Int {
        let held =
            try query(
                "SELECT coalesce(sum(count), 0) FROM reading_blocks WHERE device_ref = ?", "count reading blocks",
                bind: { s throws(SQLiteError) in try s.bind(1, ref) }, row: { s in s.int(0) }
            ).first ?? 0
        try execute("DELETE FROM reading_blocks WHERE device_ref = ?", "purge reading blocks") {
            s throws(SQLiteError) in try s.bind(1, ref)
        }
        return held
    }
}

extension Store {
    /// Moves up to `maxRows` of the rows earlier versions stored in `readings` (one row per reading)
    /// into the history's blocks: the oldest rows of the first device and kind that has any, merged and
    /// deleted in one transaction, so a crash or a purge in between can neither lose nor resurrect
    /// one. The number of rows moved; 0 when none are left. The folder calls it between folds.
    @discardableResult
    public func convertEarlierReadings(maxRows: Int = 2_000) throws(SQLiteError) -> Int {
        try requireWritable("convert readings of earlier versions")
        return try writeTransaction("convert readings of earlier versions", durability: .preferred) {
            () throws(SQLiteError) -> Int in
            guard
                let (ref, kind) = try query(
                    "SELECT device_ref, kind FROM readings LIMIT 1", "find readings of earlier versions",
                    bind: { _ throws(SQLiteError) in }, row: { s in (s.int64(0), s.int64(1)) }
                ).first
            else { return 0 }
            let rows = try query(
                """
                SELECT \(Store.readingColumns) FROM readings WHERE device_ref = ? AND kind = ?
                ORDER BY measured_at, value LIMIT ?
                """, "read readings of earlier versions",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, ref)
                    try s.bind(2, kind)
                    try s.bind(3, max(1, maxRows))
                },
                row: { s in StoredRow(s) })
            guard let last = rows.last else { return 0 }
            _ = try mergeIntoBlocks(ref: ref, kind: kind, rows: rows)
            return try execute(
                """
                DELETE FROM readings WHERE device_ref = ?1 AND kind = ?2
                    AND (measured_at < ?3 OR (measured_at = ?3 AND value <= ?4))
                """, "delete converted readings"
            ) { s throws(SQLiteError) in
                try s.bind(1, ref)
                try s.bind(2, kind)
                try s.bind(3, last.measuredAt)
                try s.bind(4, last.value)
            }
        }
    }

    /// Whether any row stored by an earlier version in `readings` is left to convert (one seek).
    public func hasEarlierReadings() throws(SQLiteError) -> Bool {
        try locked { () throws(SQLiteError) -> Bool in
            try !query(
                "SELECT 1 FROM readings LIMIT 1", "look for readings of earlier versions",
                bind: { _ throws(SQLiteError) in }, row: { _ in true }
            ).isEmpty
        }
    }
}
