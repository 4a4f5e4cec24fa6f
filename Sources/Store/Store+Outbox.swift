import AnxinCore

extension Store {
    private static let outboxColumns = """
        id, alert_id, priority, body, created_at, state, attempts, next_attempt_at, last_status, last_error,
        ticket, delivered_at, rejected_at
        """

    /// Adds an incident to the outbox; false when one with this id is already there (kept as is).
    /// Also points its alert at the incident (`incidentID`, `incidentState = .pending`).
    ///
    /// Must run inside `inTransaction(durable: true)`, together with its alert, or on its own
    /// (then it commits durably by itself); inside an ordinary transaction it throws `misuse`.
    @discardableResult
    public func enqueueIncident(_ item: OutboxItem) throws(SQLiteError) -> Bool {
        try writeTransaction("enqueue incident", durability: .required) { () throws(SQLiteError) -> Bool in
            let inserted =
                try execute(
                    """
                    INSERT OR IGNORE INTO outbox (\(Store.outboxColumns))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, "enqueue incident"
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
                } == 1
            if inserted { try mirrorIncident(item.id, alertID: item.alertID, state: item.state, ticket: item.ticket) }
            return inserted
        }
    }

    /// Pending incidents due at `now`: most urgent priority first, then oldest.
    public func dueIncidents(now: EpochMillis, limit: Int) throws(SQLiteError) -> [OutboxItem] {
        if limit <= 0 { return [] }
        return try locked { () throws(SQLiteError) -> [OutboxItem] in
            try query(
                """
                SELECT \(Store.outboxColumns) FROM outbox
                WHERE state = 'pending' AND next_attempt_at <= ?
                ORDER BY priority, created_at, id LIMIT ?
                """, "list due incidents",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, now)
                    try s.bind(2, limit)
                }, row: Store.outboxItem)
        }
    }

    /// The hotline accepted the incident (2xx or 409). False unless it was pending.
    @discardableResult
    public func markDelivered(id: String, status: Int, ticket: String?, at: EpochMillis) throws(SQLiteError) -> Bool {
        try writeTransaction("mark incident delivered", durability: .preferred) { () throws(SQLiteError) -> Bool in
            let changed =
                try execute(
                    """
                    UPDATE outbox SET state = 'delivered', attempts = attempts + 1, last_status = ?,
                        last_error = NULL, ticket = coalesce(?, ticket), delivered_at = ?
                    WHERE id = ? AND state = 'pending'
                    """, "mark incident delivered"
                ) { s throws(SQLiteError) in
                    try s.bind(1, Int64(status))
                    try s.bind(2, ticket)
                    try s.bind(3, at)
                    try s.bind(4, id)
                } == 1
            if changed { try mirrorIncident(id, alertID: nil, state: .delivered, ticket: ticket) }
            return changed
        }
    }

    /// The attempt failed in a way worth retrying; try again at `nextAttemptAt`. False unless pending.
    @discardableResult
    public func markRetry(id: String, status: Int?, error: String?, nextAttemptAt: EpochMillis)
        throws(SQLiteError) -> Bool
    {
        try writeTransaction("mark incident for retry") { () throws(SQLiteError) -> Bool in
            try execute(
                """
                UPDATE outbox SET attempts = attempts + 1, last_status = ?, last_error = ?, next_attempt_at = ?
                WHERE id = ? AND state = 'pending'
                """, "mark incident for retry"
            ) { s throws(SQLiteError) in
                try s.bind(1, status.map(Int64.init))
                try s.bind(2, error)
                try s.bind(3, nextAttemptAt)
                try s.bind(4, id)
            } == 1
        }
    }

    /// The hotline refused the incident: kept, shown to staff, retried only after `requeue`.
    /// False unless it was pending.
    @discardableResult
    public func markRejected(id: String, status: Int, error: String?, at: EpochMillis) throws(SQLiteError) -> Bool {
        try writeTransaction("mark incident rejected", durability: .preferred) { () throws(SQLiteError) -> Bool in
            let changed =
                try execute(
                    """
                    UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_status = ?, last_error = ?,
                        rejected_at = ?
                    WHERE id = ? AND state = 'pending'
                    """, "mark incident rejected"
                ) { s throws(SQLiteError) in
                    try s.bind(1, Int64(status))
                    try s.bind(2, error)
                    try s.bind(3, at)
                    try s.bind(4, id)
                } == 1
            if changed { try mirrorIncident(id, alertID: nil, state: .rejected, ticket: nil) }
            return changed
        }
    }

    /// An operator sends a rejected (or waiting) incident again: pending, due at `now`, attempts
    /// back to 0 so backoff starts over. False for an unknown or delivered incident.
    @discardableResult
    public func requeue(id: String, now: EpochMillis) throws(SQLiteError) -> Bool {
        try writeTransaction("requeue incident", durability: .preferred) { () throws(SQLiteError) -> Bool in
            let changed =
                try execute(
                    """
                    UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, rejected_at = NULL
                    WHERE id = ? AND state IN ('pending', 'rejected')
                    """, "requeue incident"
                ) { s throws(SQLiteError) in
                    try s.bind(1, now)
                    try s.bind(2, id)
                } == 1
            if changed { try mirrorIncident(id, alertID: nil, state: .pending, ticket: nil) }
            return changed
        }
    }

    /// Undelivered incidents (pending and rejected) and the age of the oldest, 0 when none.
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

    /// When the next pending incident falls due; nil when none waits.
    public func nextDueTime() throws(SQLiteError) -> EpochMillis? {
        try locked { () throws(SQLiteError) -> EpochMillis? in
            try query(
                "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'", "read next due time",
                bind: { _ throws(SQLiteError) in }, row: { s in s.optionalInt64(0) }
            ).first ?? nil
        }
    }

    /// One incident, or nil.
    public func outboxItem(id: String) throws(SQLiteError) -> OutboxItem? {
        try locked { () throws(SQLiteError) -> OutboxItem? in
            try query(
                "SELECT \(Store.outboxColumns) FROM outbox WHERE id = ?", "read incident",
                bind: { s throws(SQLiteError) in try s.bind(1, id) }, row: Store.outboxItem
            ).first
        }
    }

    /// Incidents in one state, oldest first (for operators: what was rejected, what waits).
    public func outboxItems(state: IncidentState, limit: Int) throws(SQLiteError) -> [OutboxItem] {
        try locked { () throws(SQLiteError) -> [OutboxItem] in
            try query(
                "SELECT \(Store.outboxColumns) FROM outbox WHERE state = ? ORDER BY created_at, id LIMIT ?",
                "list incidents",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, state.rawValue)
                    try s.bind(2, limit)
                }, row: Store.outboxItem)
        }
    }

    /// Keeps the alert's copy of its incident's state (and ticket) in step with the outbox.
    private func mirrorIncident(_ id: String, alertID: String?, state: IncidentState, ticket: String?)
        throws(SQLiteError)
    {
        if let alertID {
            try execute(
                "UPDATE alerts SET incident_id = ?, incident_state = ?, ticket = coalesce(?, ticket) WHERE id = ?",
                "link alert to incident"
            ) { s throws(SQLiteError) in
                try s.bind(1, id)
                try s.bind(2, state.rawValue)
                try s.bind(3, ticket)
                try s.bind(4, alertID)
            }
        } else {
            try execute(
                "UPDATE alerts SET incident_state = ?, ticket = coalesce(?, ticket) WHERE incident_id = ?",
                "update alert incident state"
            ) { s throws(SQLiteError) in
                try s.bind(1, state.rawValue)
                try s.bind(2, ticket)
                try s.bind(3, id)
            }
        }
    }

    private static func outboxItem(_ s: SQLiteStatement) -> OutboxItem {
        OutboxItem(
            id: s.text(0), alertID: s.text(1), priority: s.int(2), body: s.blob(3), createdAt: s.int64(4),
            state: IncidentState(rawValue: s.text(5)) ?? .pending, attempts: s.int(6), nextAttemptAt: s.int64(7),
            lastStatus: s.optionalInt64(8).map { Int($0) }, lastError: s.optionalText(9), ticket: s.optionalText(10),
            deliveredAt: s.optionalInt64(11), rejectedAt: s.optionalInt64(12))
    }
}
