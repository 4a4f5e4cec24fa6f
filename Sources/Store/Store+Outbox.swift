import AnxinCore

extension Store {
    static let outboxColumns = """
        id, alert_id, priority, body, created_at, state, attempts, next_attempt_at, last_status, last_error,
        ticket, delivered_at, rejected_at, channel, kind
        """

    /// Adds a delivery to the outbox; false when a row with this id is already there (kept as is).
    ///
    /// Durability by kind:
    /// - `incident` and `update` (the hotline) must run inside `inTransaction(durable: true)`,
    ///   together with the alert change that caused them, or on their own (then they commit
    ///   durably by themselves); inside an ordinary transaction they throw `misuse`. An emergency
    ///   or a "false alarm, stand down" must never be lost once committed.
    /// - `notice` (staff channels) joins any open transaction, ordinary ones included, and commits
    ///   durably when on its own. A notice lost with the last NORMAL commits on power loss is lost
    ///   together with the escalation state that fired it, so the restarted engine fires it again.
    ///
    /// An incident also points its alert at itself (`incidentID`, `incidentState`).
    @discardableResult
    public func enqueue(_ item: OutboxItem) throws(SQLiteError) -> Bool {
        let durability: Durability = item.kind == .notice ? .preferred : .required
        return try writeTransaction("enqueue \(item.kind.rawValue)", durability: durability) {
            () throws(SQLiteError) -> Bool in
            let inserted =
                try execute(
                    """
                    INSERT OR IGNORE INTO outbox (\(Store.outboxColumns))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, "enqueue \(item.kind.rawValue)"
                ) { s throws(SQLiteError) in
                    try s.bind(1, item.id)
                    try s.bind(2, item.alertID)
                    try s.bind(3, item.priority)
                    try s.bind(4, item.body)
                    try s.bind(5, item.createdAt)
                    try s.bind(6, item.state.rawValue)
                    try s.bind(7, item.attempts)
                    try s.bind(8, item.nextAttemptAt)
                    try s.bind(9, item.lastStatus.map(Int64.init))
                    try s.bind(10, item.lastError)
                    try s.bind(11, item.ticket)
                    try s.bind(12, item.deliveredAt)
                    try s.bind(13, item.rejectedAt)
                    try s.bind(14, item.channel)
                    try s.bind(15, item.kind.rawValue)
                } == 1
            if inserted && item.kind == .incident {
                try mirrorIncident(item.id, alertID: item.alertID, state: item.state, ticket: item.ticket)
            }
            return inserted
        }
    }

    /// Adds a hotline incident: ``enqueue(_:)`` for an item of kind `incident` (the default),
    /// with its durability rule.
    @discardableResult
    public func enqueueIncident(_ item: OutboxItem) throws(SQLiteError) -> Bool {
        try enqueue(item)
    }

    /// Pending deliveries of every channel due at `now`: most urgent priority first (0 = critical),
    /// then oldest. Channels in `excludingChannels` are skipped (the dispatcher's busy ones).
    public func due(now: EpochMillis, limit: Int, excludingChannels: Set<String> = []) throws(SQLiteError)
        -> [OutboxItem]
    {
        if limit <= 0 { return [] }
        return try locked { () throws(SQLiteError) -> [OutboxItem] in
            try query(
                """
                SELECT \(Store.outboxColumns) FROM outbox
                WHERE state = 'pending' AND next_attempt_at <= ?
                    AND channel NOT IN (SELECT value FROM json_each(?))
                ORDER BY priority, created_at, id LIMIT ?
                """, "list due deliveries",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, now)
                    try s.bind(2, Store.jsonArray(excludingChannels))
                    try s.bind(3, limit)
                }, row: Store.outboxItem)
        }
    }

    /// Pending hotline incidents (channel `hotline`, kind `incident`) due at `now`, most urgent
    /// first, then oldest. Follow-ups and staff notices are left to ``due(now:limit:excludingChannels:)``.
    public func dueIncidents(now: EpochMillis, limit: Int) throws(SQLiteError) -> [OutboxItem] {
        if limit <= 0 { return [] }
        return try locked { () throws(SQLiteError) -> [OutboxItem] in
            try query(
                """
                SELECT \(Store.outboxColumns) FROM outbox
                WHERE state = 'pending' AND next_attempt_at <= ? AND kind = 'incident' AND channel = 'hotline'
                ORDER BY priority, created_at, id LIMIT ?
                """, "list due incidents",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, now)
                    try s.bind(2, limit)
                }, row: Store.outboxItem)
        }
    }

    /// Undelivered rows of every channel (pending and rejected) and the age of the oldest, 0 when none.
    public func outboxStats(now: EpochMillis) throws(SQLiteError) -> (depth: Int, oldestAgeSeconds: Double) {
        try locked { () throws(SQLiteError) -> (depth: Int, oldestAgeSeconds: Double) in
            try query(
                "SELECT count(*), min(created_at) FROM outbox WHERE state IN ('pending', 'rejected')",
                "read outbox depth", bind: { _ throws(SQLiteError) in },
                row: { s in
                    let oldest = s.optionalInt64(1)
                    return (s.int(0), oldest.map { max(0, Double(now - $0) / 1000) } ?? 0)
                }
            ).first ?? (0, 0)
        }
    }

    /// When the next pending row of any channel outside `excludingChannels` falls due (pairs
    /// with ``due(now:limit:excludingChannels:)``); nil when none waits.
    public func nextDueTime(excludingChannels: Set<String>) throws(SQLiteError) -> EpochMillis? {
        try locked { () throws(SQLiteError) -> EpochMillis? in
            try query(
                """
                SELECT min(next_attempt_at) FROM outbox
                WHERE state = 'pending' AND channel NOT IN (SELECT value FROM json_each(?))
                """, "read next due time",
                bind: { s throws(SQLiteError) in try s.bind(1, Store.jsonArray(excludingChannels)) },
                row: { s in s.optionalInt64(0) }
            ).first ?? nil
        }
    }

    /// When the next pending hotline incident falls due (pairs with ``dueIncidents(now:limit:)``);
    /// nil when none waits.
    public func nextDueTime() throws(SQLiteError) -> EpochMillis? {
        try locked { () throws(SQLiteError) -> EpochMillis? in
            try query(
                """
                SELECT min(next_attempt_at) FROM outbox
                WHERE state = 'pending' AND kind = 'incident' AND channel = 'hotline'
                """, "read next incident due time", bind: { _ throws(SQLiteError) in }, row: { s in s.optionalInt64(0) }
            ).first ?? nil
        }
    }

    /// One row, or nil.
    public func outboxItem(id: String) throws(SQLiteError) -> OutboxItem? {
        try locked { () throws(SQLiteError) -> OutboxItem? in try readOutboxItem(id) }
    }

    /// Rows in one state, every channel, oldest first (for operators: what was rejected, what waits).
    public func outboxItems(state: IncidentState, limit: Int) throws(SQLiteError) -> [OutboxItem] {
        try locked { () throws(SQLiteError) -> [OutboxItem] in
            try query(
                "SELECT \(Store.outboxColumns) FROM outbox WHERE state = ? ORDER BY created_at, id LIMIT ?",
                "list outbox",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, state.rawValue)
                    try s.bind(2, limit)
                }, row: Store.outboxItem)
        }
    }

    /// Every delivery of one alert (incident, follow-ups, notices), oldest first: the alert page's
    /// "deliveries" list.
    public func outboxItems(alertID: String) throws(SQLiteError) -> [OutboxItem] {
        try locked { () throws(SQLiteError) -> [OutboxItem] in
            try query(
                "SELECT \(Store.outboxColumns) FROM outbox WHERE alert_id = ? ORDER BY created_at, id",
                "list alert deliveries", bind: { s throws(SQLiteError) in try s.bind(1, alertID) },
                row: Store.outboxItem)
        }
    }

    func readOutboxItem(_ id: String) throws(SQLiteError) -> OutboxItem? {
        try query(
            "SELECT \(Store.outboxColumns) FROM outbox WHERE id = ?", "read outbox row",
            bind: { s throws(SQLiteError) in try s.bind(1, id) }, row: Store.outboxItem
        ).first
    }

    /// `["a","b"]` for `json_each`, in a stable order so the text is the same for the same set.
    private static func jsonArray(_ names: Set<String>) -> String {
        "[" + names.sorted().map(JSONText.quote).joined(separator: ",") + "]"
    }

    private static func outboxItem(_ s: SQLiteStatement) -> OutboxItem {
        OutboxItem(
            id: s.text(0), alertID: s.text(1), priority: s.int(2), body: s.blob(3), createdAt: s.int64(4),
            state: IncidentState(rawValue: s.text(5)) ?? .pending, attempts: s.int(6), nextAttemptAt: s.int64(7),
            lastStatus: s.optionalInt64(8).map { Int($0) }, lastError: s.optionalText(9), ticket: s.optionalText(10),
            deliveredAt: s.optionalInt64(11), rejectedAt: s.optionalInt64(12), channel: s.text(13),
            kind: OutboxKind(rawValue: s.text(14)) ?? .notice)
    }
}
