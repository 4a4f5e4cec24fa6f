import AnxinCore

extension Store {
    /// Deletes readings measured before `cutoff` (retention, `storage.retention_days`); the
    /// number deleted.
    ///
    /// Unlike `pruneReadings(before:)`, which deletes everything in one transaction, this
    /// commits device by device, so the pipeline's writer never waits long for the lock even
    /// when the first run after an upgrade deletes months of readings.
    @discardableResult
    public func purgeExpiredReadings(before cutoff: EpochMillis) throws(SQLiteError) -> Int {
        try requireWritable("purge expired readings")
        let refs = try locked { () throws(SQLiteError) -> [Int64] in
            try query(
                "SELECT id FROM devices ORDER BY id", "list devices", bind: { _ throws(SQLiteError) in },
                row: { s in s.int64(0) })
        }
        var deleted = 0
        for ref in refs {
            deleted += try writeTransaction("purge expired readings") { () throws(SQLiteError) -> Int in
                var n = 0
                for k in ReadingKind.allCases {
                    n += try pruneBlocks(ref: ref, kind: Int64(k.rawValue), before: cutoff)
                    n += try execute(
                        "DELETE FROM readings WHERE device_ref = ? AND kind = ? AND measured_at < ?",
                        "purge expired readings"
                    ) { s throws(SQLiteError) in
                        try s.bind(1, ref)
                        try s.bind(2, Int64(k.rawValue))
                        try s.bind(3, cutoff)
                    }
                }
                return n
            }
        }
        return deleted
    }
}
