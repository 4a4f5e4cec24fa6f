import AnxinCore

/// The audit log: append-only rows of staff actions and sign-ins.
extension Store {
    private static let auditColumns = "id, at, actor, role, action, target, note, outcome"

    /// Appends one audit row and returns it with its id. Durable, as staff actions are.
    @discardableResult
    public func appendAudit(_ r: AuditRecord) throws(SQLiteError) -> AuditRecord {
        try writeTransaction("append audit", durability: .preferred) { () throws(SQLiteError) -> AuditRecord in
            let ids = try query(
                """
                INSERT INTO audit_log (at, actor, role, action, target, note, outcome)
                VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
                """, "append audit",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, r.at)
                    try s.bind(2, r.actor)
                    try s.bind(3, r.role)
                    try s.bind(4, r.action)
                    try s.bind(5, r.target)
                    try s.bind(6, r.note)
                    try s.bind(7, r.outcome)
                }, row: { $0.int64(0) })
            var out = r
            out.id = ids.first ?? 0
            return out
        }
    }

    /// Audit rows newest first; `before` is the id of the last row of the previous page.
    public func auditRecords(limit: Int, before: Int64? = nil) throws(SQLiteError) -> [AuditRecord] {
        if limit <= 0 { return [] }
        return try locked { () throws(SQLiteError) -> [AuditRecord] in
            try query(
                """
                SELECT \(Store.auditColumns) FROM audit_log WHERE (?1 IS NULL OR id < ?1)
                ORDER BY id DESC LIMIT ?2
                """, "list audit",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, before)
                    try s.bind(2, limit)
                },
                row: { s in
                    AuditRecord(
                        id: s.int64(0), at: s.int64(1), actor: s.text(2), role: s.optionalText(3),
                        action: s.text(4), target: s.optionalText(5), note: s.optionalText(6), outcome: s.text(7))
                })
        }
    }
}
