import AnxinCore

extension Store {
    private static let silenceColumns =
        "id, scope, target, reason, created_by, created_at, ends_at, lifted_at, lifted_by"

    /// Records a silence and returns it with its id. Durable: staff expect it to hold after a crash.
    public func addSilence(_ s: SilenceRecord) throws(SQLiteError) -> SilenceRecord {
        try writeTransaction("add silence", durability: .preferred) { () throws(SQLiteError) -> SilenceRecord in
            let ids = try query(
                """
                INSERT INTO silences (scope, target, reason, created_by, created_at, ends_at)
                VALUES (?, ?, ?, ?, ?, ?) RETURNING id
                """, "add silence",
                bind: { st throws(SQLiteError) in
                    try st.bind(1, s.scope.rawValue)
                    try st.bind(2, s.target)
                    try st.bind(3, s.reason)
                    try st.bind(4, s.createdBy)
                    try st.bind(5, s.createdAt)
                    try st.bind(6, s.endsAt)
                }, row: { $0.int64(0) })
            var out = s
            out.id = ids.first ?? 0
            return out
        }
    }

    /// Lifts a silence early. Nil when there is none with that id; a silence already lifted or
    /// ended is returned unchanged.
    public func liftSilence(id: Int64, by: String, at: EpochMillis) throws(SQLiteError) -> SilenceRecord? {
        try writeTransaction("lift silence", durability: .preferred) { () throws(SQLiteError) -> SilenceRecord? in
            guard var s = try silence(id: id) else { return nil }
            guard s.inForce(at: at) else { return s }
            try execute("UPDATE silences SET lifted_at = ?, lifted_by = ? WHERE id = ?", "lift silence") {
                st throws(SQLiteError) in
                try st.bind(1, at)
                try st.bind(2, by)
                try st.bind(3, id)
            }
            s.liftedAt = at
            s.liftedBy = by
            return s
        }
    }

    /// One silence, or nil.
    public func silence(id: Int64) throws(SQLiteError) -> SilenceRecord? {
        try locked { () throws(SQLiteError) -> SilenceRecord? in
            try query(
                "SELECT \(Store.silenceColumns) FROM silences WHERE id = ?", "read silence",
                bind: { st throws(SQLiteError) in try st.bind(1, id) }, row: Store.silenceRecord
            ).first
        }
    }

    /// Silences in force at `now`, soonest to end first.
    public func silencesInForce(at now: EpochMillis) throws(SQLiteError) -> [SilenceRecord] {
        try locked { () throws(SQLiteError) -> [SilenceRecord] in
            try query(
                """
                SELECT \(Store.silenceColumns) FROM silences
                WHERE lifted_at IS NULL AND ends_at > ? AND created_at <= ? ORDER BY ends_at, id
                """, "list silences",
                bind: { st throws(SQLiteError) in
                    try st.bind(1, now)
                    try st.bind(2, now)
                }, row: Store.silenceRecord)
        }
    }

    private static func silenceRecord(_ s: SQLiteStatement) -> SilenceRecord {
        SilenceRecord(
            id: s.int64(0), scope: SilenceRecord.Scope(rawValue: s.text(1)) ?? .rule, target: s.text(2),
            reason: s.text(3), createdBy: s.text(4), createdAt: s.int64(5), endsAt: s.int64(6),
            liftedAt: s.optionalInt64(7), liftedBy: s.optionalText(8))
    }
}
