import AnxinCore

// The dispatcher's marks commit with synchronous=NORMAL: they survive a crash of Anxin, and what a power
// loss could take back is only that a delivery was done, so it is sent again under the same id and
// idempotency key, which the contract allows. A FULL commit here held SQLite's write lock through an
// fsync of everything the pipeline had written since its last durable commit: measured under 4,000 msg/s,
// marks took up to 463 ms, and the pipeline's next commit (an emergency's among them) waited behind them.
// Operator actions (requeue) stay durable.
extension Store {
    /// The channel accepted the delivery (2xx, 409, or errcode 0). False unless it was pending.
    ///
    /// What else changes, by kind: an incident mirrors `delivered` and its ticket onto its alert;
    /// a hotline answer's `ticket` / `hotlineStatus` (an incident's or an update's) land on the
    /// alert's `ticket` / `hotline_status`; a notice or an update adds an alert history line
    /// (`delivered`, by and detail = the channel, note = HTTP status, ticket and status).
    @discardableResult
    public func markDelivered(
        id: String, status: Int?, ticket: String?, hotlineStatus: String? = nil, at: EpochMillis
    ) throws(SQLiteError) -> Bool {
        try writeTransaction("mark delivered", durability: .normal) { () throws(SQLiteError) -> Bool in
            let changed =
                try execute(
                    """
                    UPDATE outbox SET state = 'delivered', attempts = attempts + 1, last_status = ?,
                        last_error = NULL, ticket = coalesce(?, ticket), delivered_at = ?
                    WHERE id = ? AND state = 'pending'
                    """, "mark delivered"
                ) { s throws(SQLiteError) in
                    try s.bind(1, status.map(Int64.init))
                    try s.bind(2, ticket)
                    try s.bind(3, at)
                    try s.bind(4, id)
                } == 1
            guard changed, let item = try readOutboxItem(id) else { return changed }
            switch item.kind {
            case .incident:
                try mirrorIncident(id, alertID: nil, state: .delivered, ticket: ticket)
            case .update:
                try execute("UPDATE alerts SET ticket = coalesce(?, ticket) WHERE id = ?", "store hotline ticket") {
                    s throws(SQLiteError) in
                    try s.bind(1, ticket)
                    try s.bind(2, item.alertID)
                }
            case .notice:
                break
            }
            if let hotlineStatus, item.kind != .notice {
                try execute("UPDATE alerts SET hotline_status = ? WHERE id = ?", "store hotline status") {
                    s throws(SQLiteError) in
                    try s.bind(1, hotlineStatus)
                    try s.bind(2, item.alertID)
                }
            }
            if item.kind != .incident {
                let parts = [
                    status.map { "HTTP \($0)" }, ticket.map { "ticket \($0)" }, hotlineStatus.map { "status \($0)" },
                ]
                let note = parts.compactMap { $0 }.joined(separator: ", ")
                try addHistory(
                    alertID: item.alertID, at: at, action: .delivered, by: item.channel,
                    note: note.isEmpty ? nil : note,
                    detail: item.channel)
            }
            return true
        }
    }

    /// The attempt failed in a way worth retrying; try again at `nextAttemptAt`. False unless pending.
    /// Nothing is written to the alert: a retry is not an outcome.
    @discardableResult
    public func markRetry(id: String, status: Int?, error: String?, nextAttemptAt: EpochMillis)
        throws(SQLiteError) -> Bool
    {
        try writeTransaction("mark for retry") { () throws(SQLiteError) -> Bool in
            try execute(
                """
                UPDATE outbox SET attempts = attempts + 1, last_status = ?, last_error = ?, next_attempt_at = ?
                WHERE id = ? AND state = 'pending'
                """, "mark for retry"
            ) { s throws(SQLiteError) in
                try s.bind(1, status.map(Int64.init))
                try s.bind(2, error)
                try s.bind(3, nextAttemptAt)
                try s.bind(4, id)
            } == 1
        }
    }

    /// The channel refused the delivery: kept, shown to staff, retried only after `requeue`.
    /// False unless it was pending. An incident mirrors `rejected` onto its alert; a notice or an
    /// update adds an alert history line (`rejected`, by and detail = the channel, note = `error`).
    @discardableResult
    public func markRejected(id: String, status: Int?, error: String?, at: EpochMillis) throws(SQLiteError) -> Bool {
        try writeTransaction("mark rejected", durability: .normal) { () throws(SQLiteError) -> Bool in
            let changed =
                try execute(
                    """
                    UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_status = ?, last_error = ?,
                        rejected_at = ?
                    WHERE id = ? AND state = 'pending'
                    """, "mark rejected"
                ) { s throws(SQLiteError) in
                    try s.bind(1, status.map(Int64.init))
                    try s.bind(2, error)
                    try s.bind(3, at)
                    try s.bind(4, id)
                } == 1
            guard changed, let item = try readOutboxItem(id) else { return changed }
            if item.kind == .incident {
                try mirrorIncident(id, alertID: nil, state: .rejected, ticket: nil)
            } else {
                try addHistory(
                    alertID: item.alertID, at: at, action: .rejected, by: item.channel,
                    note: error ?? status.map { "HTTP \($0)" }, detail: item.channel)
            }
            return true
        }
    }

    /// An operator sends a rejected (or waiting) row again: pending, due at `now`, attempts back
    /// to 0 so backoff starts over. False for an unknown or delivered row.
    @discardableResult
    public func requeue(id: String, now: EpochMillis) throws(SQLiteError) -> Bool {
        try writeTransaction("requeue", durability: .preferred) { () throws(SQLiteError) -> Bool in
            let changed =
                try execute(
                    """
                    UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, rejected_at = NULL
                    WHERE id = ? AND state IN ('pending', 'rejected')
                    """, "requeue"
                ) { s throws(SQLiteError) in
                    try s.bind(1, now)
                    try s.bind(2, id)
                } == 1
            if changed, try readOutboxItem(id)?.kind == .incident {
                try mirrorIncident(id, alertID: nil, state: .pending, ticket: nil)
            }
            return changed
        }
    }

    /// Keeps the alert's copy of its incident's state (and ticket) in step with the outbox.
    func mirrorIncident(_ id: String, alertID: String?, state: IncidentState, ticket: String?)
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
}

extension Store {
    /// After the system clock stepped back `delta` ms: moves the next attempt of every pending row
    /// scheduled after `scheduledAfter` (wall time before the step) back by as much.
    /// - Returns: the number of rows moved.
    @discardableResult
    public func moveOutboxSchedule(back delta: EpochMillis, scheduledAfter: EpochMillis) throws(SQLiteError) -> Int {
        try writeTransaction("move outbox schedule", durability: .normal) { () throws(SQLiteError) -> Int in
            try execute(
                "UPDATE outbox SET next_attempt_at = next_attempt_at - ? WHERE state = 'pending' AND next_attempt_at > ?",
                "move outbox schedule"
            ) { s throws(SQLiteError) in
                try s.bind(1, delta)
                try s.bind(2, scheduledAfter)
            }
        }
    }

    /// Makes every pending row of `channel` scheduled after `at` due at `at` (the channel answers again).
    /// - Returns: the number of rows brought forward.
    @discardableResult
    public func bringForward(channel: String, to at: EpochMillis) throws(SQLiteError) -> Int {
        try writeTransaction("bring deliveries forward", durability: .normal) { () throws(SQLiteError) -> Int in
            try execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND channel = ? AND next_attempt_at > ?",
                "bring deliveries forward"
            ) { s throws(SQLiteError) in
                try s.bind(1, at)
                try s.bind(2, channel)
                try s.bind(3, at)
            }
        }
    }
}
