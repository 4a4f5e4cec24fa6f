import AnxinCore

/// A hotline incident waiting in, or done with, the durable outbox.
public struct OutboxItem: Sendable, Hashable {
    /// The incident id: also the `Idempotency-Key`.
    public var id: String
    public var alertID: String
    /// 0 (critical) goes first; the alert's `Severity.rawValue` is the natural choice.
    public var priority: Int
    /// The exact JSON bytes to POST, written once and never regenerated (the signature covers them).
    public var body: [UInt8]
    public var createdAt: EpochMillis
    public var state: IncidentState
    /// Attempts made so far.
    public var attempts: Int
    /// Not to be sent before this time.
    public var nextAttemptAt: EpochMillis
    /// HTTP status of the last attempt; nil when it got no answer.
    public var lastStatus: Int?
    /// Why the last attempt failed, in words fit for a log (no body, no resident data).
    public var lastError: String?
    /// The hotline's ticket, once delivered.
    public var ticket: String?
    public var deliveredAt: EpochMillis?
    public var rejectedAt: EpochMillis?

    public init(
        id: String, alertID: String, priority: Int, body: [UInt8], createdAt: EpochMillis,
        state: IncidentState = .pending, attempts: Int = 0, nextAttemptAt: EpochMillis? = nil,
        lastStatus: Int? = nil, lastError: String? = nil, ticket: String? = nil,
        deliveredAt: EpochMillis? = nil, rejectedAt: EpochMillis? = nil
    ) {
        self.id = id
        self.alertID = alertID
        self.priority = priority
        self.body = body
        self.createdAt = createdAt
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.ticket = ticket
        self.deliveredAt = deliveredAt
        self.rejectedAt = rejectedAt
    }
}
