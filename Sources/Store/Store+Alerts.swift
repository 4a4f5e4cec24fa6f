import AnxinCore

extension Store {
    private static let alertColumns = """
        id, rule, severity, state, resident_id, device, trigger_json, occurred_at, opened_at, updated_at,
        acknowledged_at, acknowledged_by, resolved_at, resolved_by, escalated_at, incident_id, incident_state, ticket,
        silence_id, escalation_step, cancelled, hotline_status
        """

    /// Stores a new alert. Throws a constraint error (`rejectData`) if the id exists.
    public func insertAlert(_ a: AlertRecord) throws(SQLiteError) {
        try writeTransaction("store alert") { () throws(SQLiteError) in
            try execute(
                "INSERT INTO alerts (\(Store.alertColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
                "store alert"
            ) { s throws(SQLiteError) in try Store.bindAlert(s, a) }
        }
    }

    /// Replaces every field of the alert with this id; false when there is none.
    @discardableResult
    public func updateAlert(_ a: AlertRecord) throws(SQLiteError) -> Bool {
        try writeTransaction("update alert") { () throws(SQLiteError) -> Bool in
            try execute(
                """
                UPDATE alerts SET rule = ?2, severity = ?3, state = ?4, resident_id = ?5, device = ?6,
                    trigger_json = ?7, occurred_at = ?8, opened_at = ?9, updated_at = ?10, acknowledged_at = ?11,
                    acknowledged_by = ?12, resolved_at = ?13, resolved_by = ?14, escalated_at = ?15,
                    incident_id = ?16, incident_state = ?17, ticket = ?18, silence_id = ?19,
                    escalation_step = ?20, cancelled = ?21, hotline_status = ?22
                WHERE id = ?1
                """, "update alert"
            ) { s throws(SQLiteError) in try Store.bindAlert(s, a) } == 1
        }
    }

    /// Appends a line to an alert's history. The alert must exist by the time the transaction
    /// commits (the check is deferred, so history may be written before the alert row).
    public func addHistory(
        alertID: String, at: EpochMillis, action: AlertAction, by: String? = nil, note: String? = nil,
        detail: String? = nil
    ) throws(SQLiteError) {
        try writeTransaction("store alert history") { () throws(SQLiteError) in
            try execute(
                "INSERT INTO alert_history (alert_id, at, action, actor, note, detail) VALUES (?, ?, ?, ?, ?, ?)",
                "store alert history"
            ) { s throws(SQLiteError) in
                try s.bind(1, alertID)
                try s.bind(2, at)
                try s.bind(3, action.rawValue)
                try s.bind(4, by)
                try s.bind(5, note)
                try s.bind(6, detail)
            }
        }
    }

    /// Staff acknowledge an open alert: state, time and who, plus a history line, in one durable
    /// commit. Returns the alert as it now is, or nil for an unknown id. An alert already
    /// acknowledged or resolved is returned unchanged, with no history line: callers tell a
    /// resolved one by `state == .resolved` (HTTP 409).
    public func acknowledgeAlert(id: String, by: String, note: String?, at: EpochMillis)
        throws(SQLiteError) -> AlertRecord?
    {
        try writeTransaction("acknowledge alert", durability: .preferred) { () throws(SQLiteError) -> AlertRecord? in
            guard var a = try readAlert(id) else { return nil }
            guard a.state == .open else { return a }
            a.state = .acknowledged
            a.acknowledgedAt = at
            a.acknowledgedBy = by
            a.updatedAt = at
            try execute(
                """
                UPDATE alerts SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ?
                WHERE id = ?
                """, "acknowledge alert"
            ) { s throws(SQLiteError) in
                try s.bind(1, at)
                try s.bind(2, by)
                try s.bind(3, at)
                try s.bind(4, id)
            }
            try addHistory(alertID: id, at: at, action: .acknowledged, by: by, note: note)
            return a
        }
    }

    /// Resolves an open or acknowledged alert (by staff, or by the rules with `by: "rules"`),
    /// with a history line, in one durable commit. Nil for an unknown id; an alert already
    /// resolved is returned unchanged. `cancelled`: staff call it a false alarm (history line
    /// `cancelled` instead of `resolved`).
    public func resolveAlert(id: String, by: String, note: String?, at: EpochMillis, cancelled: Bool = false)
        throws(SQLiteError) -> AlertRecord?
    {
        try writeTransaction("resolve alert", durability: .preferred) { () throws(SQLiteError) -> AlertRecord? in
            guard var a = try readAlert(id) else { return nil }
            guard a.state != .resolved else { return a }
            a.state = .resolved
            a.resolvedAt = at
            a.resolvedBy = by
            a.updatedAt = at
            a.cancelled = cancelled
            try execute(
                """
                UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_by = ?, updated_at = ?, cancelled = ?
                WHERE id = ?
                """,
                "resolve alert"
            ) { s throws(SQLiteError) in
                try s.bind(1, at)
                try s.bind(2, by)
                try s.bind(3, at)
                try s.bind(4, cancelled ? 1 : 0)
                try s.bind(5, id)
            }
            try addHistory(alertID: id, at: at, action: cancelled ? .cancelled : .resolved, by: by, note: note)
            return a
        }
    }

    /// One alert, or nil.
    public func alert(id: String) throws(SQLiteError) -> AlertRecord? {
        try locked { () throws(SQLiteError) -> AlertRecord? in try readAlert(id) }
    }

    /// Alerts newest first (by opened time, then id), optionally of one state. `before` is the
    /// id of the last alert of the previous page; an unknown `before` gives an empty page.
    public func alerts(state: AlertState?, limit: Int, before: String?) throws(SQLiteError) -> [AlertRecord] {
        if limit <= 0 { return [] }
        return try locked { () throws(SQLiteError) -> [AlertRecord] in
            var cursor: EpochMillis?
            if let before {
                guard let anchor = try readAlert(before) else { return [] }
                cursor = anchor.openedAt
            }
            var conditions: [String] = []
            if state != nil { conditions.append("state = ?1") }
            if cursor != nil { conditions.append("(opened_at, id) < (?2, ?3)") }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try query(
                "SELECT \(Store.alertColumns) FROM alerts \(whereClause) ORDER BY opened_at DESC, id DESC LIMIT ?4",
                "list alerts",
                bind: { s throws(SQLiteError) in
                    if let state { try s.bind(1, state.rawValue) }
                    if let cursor, let before {
                        try s.bind(2, cursor)
                        try s.bind(3, before)
                    }
                    try s.bind(4, limit)
                }, row: Store.alertRecord)
        }
    }

    /// Every open or acknowledged alert, oldest first: what the rules engine needs after a restart.
    public func unresolvedAlerts() throws(SQLiteError) -> [AlertRecord] {
        try locked { () throws(SQLiteError) -> [AlertRecord] in
            try query(
                """
                SELECT \(Store.alertColumns) FROM alerts WHERE state IN ('open', 'acknowledged')
                ORDER BY opened_at, id
                """, "list unresolved alerts", bind: { _ throws(SQLiteError) in }, row: Store.alertRecord)
        }
    }

    /// A resident's open or acknowledged alerts, newest first.
    public func unresolvedAlerts(residentID: String) throws(SQLiteError) -> [AlertRecord] {
        try locked { () throws(SQLiteError) -> [AlertRecord] in
            try query(
                """
                SELECT \(Store.alertColumns) FROM alerts
                WHERE resident_id = ? AND state IN ('open', 'acknowledged')
                ORDER BY opened_at DESC, id DESC
                """, "list resident alerts", bind: { s throws(SQLiteError) in try s.bind(1, residentID) },
                row: Store.alertRecord)
        }
    }

    /// An alert's history, oldest first.
    public func history(alertID: String) throws(SQLiteError) -> [AlertHistoryEntry] {
        try locked { () throws(SQLiteError) -> [AlertHistoryEntry] in
            try query(
                "SELECT alert_id, at, action, actor, note, detail FROM alert_history WHERE alert_id = ? ORDER BY at, id",
                "read alert history", bind: { s throws(SQLiteError) in try s.bind(1, alertID) },
                row: { s in
                    AlertHistoryEntry(
                        alertID: s.text(0), at: s.int64(1), action: AlertAction(rawValue: s.text(2)) ?? .updated,
                        by: s.optionalText(3), note: s.optionalText(4), detail: s.optionalText(5))
                })
        }
    }

    func readAlert(_ id: String) throws(SQLiteError) -> AlertRecord? {
        try query(
            "SELECT \(Store.alertColumns) FROM alerts WHERE id = ?", "read alert",
            bind: { s throws(SQLiteError) in try s.bind(1, id) }, row: Store.alertRecord
        ).first
    }

    private static func bindAlert(_ s: SQLiteStatement, _ a: AlertRecord) throws(SQLiteError) {
        try s.bind(1, a.id)
        try s.bind(2, a.rule)
        try s.bind(3, a.severity.name)
        try s.bind(4, a.state.rawValue)
        try s.bind(5, a.residentID)
        try s.bind(6, a.device)
        try s.bind(7, a.triggerJSON)
        try s.bind(8, a.occurredAt)
        try s.bind(9, a.openedAt)
        try s.bind(10, a.updatedAt)
        try s.bind(11, a.acknowledgedAt)
        try s.bind(12, a.acknowledgedBy)
        try s.bind(13, a.resolvedAt)
        try s.bind(14, a.resolvedBy)
        try s.bind(15, a.escalatedAt)
        try s.bind(16, a.incidentID)
        try s.bind(17, a.incidentState?.rawValue)
        try s.bind(18, a.ticket)
        try s.bind(19, a.silenceID)
        try s.bind(20, a.escalationStep)
        try s.bind(21, a.cancelled ? 1 : 0)
        try s.bind(22, a.hotlineStatus)
    }

    /// Decodes a row of `alertColumns`. The CHECK constraints keep the enums valid; were one
    /// ever unreadable, the alert reads as critical and open rather than disappearing.
    private static func alertRecord(_ s: SQLiteStatement) -> AlertRecord {
        AlertRecord(
            id: s.text(0), rule: s.text(1), severity: Severity(name: s.text(2)) ?? .critical,
            state: AlertState(rawValue: s.text(3)) ?? .open, residentID: s.optionalText(4), device: s.text(5),
            triggerJSON: s.text(6), occurredAt: s.int64(7), openedAt: s.int64(8), updatedAt: s.int64(9),
            acknowledgedAt: s.optionalInt64(10), acknowledgedBy: s.optionalText(11), resolvedAt: s.optionalInt64(12),
            resolvedBy: s.optionalText(13), escalatedAt: s.optionalInt64(14), incidentID: s.optionalText(15),
            incidentState: s.optionalText(16).flatMap(IncidentState.init(rawValue:)), ticket: s.optionalText(17),
            silenceID: s.optionalInt64(18), escalationStep: s.int(19), cancelled: s.int(20) != 0,
            hotlineStatus: s.optionalText(21))
    }
}
