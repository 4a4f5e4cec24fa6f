import AnxinCore

/// One incident waiting in the durable outbox for the 12349 hotline (SPEC section 7).
public struct PendingIncident: Sendable, Hashable {
    /// Stable incident id, sent as `Idempotency-Key` and the same on every retry.
    public var id: String
    /// The alert this incident reports.
    public var alertID: String
    /// Delivery order: lower goes first (0 = critical).
    public var priority: Int
    /// The exact body bytes to POST (rendered once by ``IncidentBody/render(_:)`` and stored).
    public var body: [UInt8]
    /// Attempts already made before this one.
    public var attempts: Int
    /// When the incident was written to the outbox.
    public var createdAt: EpochMillis

    public init(
        id: String, alertID: String, priority: Int, body: [UInt8], attempts: Int = 0,
        createdAt: EpochMillis
    ) {
        self.id = id
        self.alertID = alertID
        self.priority = priority
        self.body = body
        self.attempts = attempts
        self.createdAt = createdAt
    }
}

/// The durable outbox the dispatcher drains. The Gateway adapts the SQLite store to it.
///
/// Every `mark…` call records one attempt (the implementation increments `attempts`).
/// Delivered and rejected incidents are never returned by `due` again; a rejected one
/// comes back only when an operator requeues it.
public protocol IncidentOutbox: Sendable {
    /// Pending incidents whose next attempt is at or before `now`, ordered by priority then
    /// `createdAt`, at most `limit`.
    func due(now: EpochMillis, limit: Int) async throws -> [PendingIncident]
    /// The earliest next-attempt time of any pending incident, or nil when none is pending.
    func nextDueTime() async throws -> EpochMillis?
    /// The hotline took it (2xx or 409); `ticket` is the hotline's reference when it gave one.
    func markDelivered(id: String, status: Int, ticket: String?, at: EpochMillis) async throws
    /// A transient failure: try again at `nextAttemptAt`. `status` is nil when no answer came.
    func markRetry(id: String, status: Int?, error: String, nextAttemptAt: EpochMillis) async throws
    /// The hotline refused it for good (a 4xx other than 408/409/429): kept and shown to staff.
    func markRejected(id: String, status: Int, error: String, at: EpochMillis) async throws
}
