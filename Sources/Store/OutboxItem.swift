import AnxinCore

/// One delivery waiting in, or done with, the durable outbox: a hotline incident, a hotline
/// follow-up, or a notice to staff on one channel.
public struct OutboxItem: Sendable, Hashable {
    /// Stable row id, also the `Idempotency-Key`: the incident id; `<incident id>/ack`
    /// (`/resolve`, `/cancel`) for a follow-up; `<alert id>/<step>/<reminder>/<channel>` for a notice.
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
    /// The channel it goes out on: `hotline`, or a configured channel name such as `wecom-ward3`.
    public var channel: String
    public var kind: OutboxKind

    public init(
        id: String, alertID: String, priority: Int, body: [UInt8], createdAt: EpochMillis,
        state: IncidentState = .pending, attempts: Int = 0, nextAttemptAt: EpochMillis? = nil,
        lastStatus: Int? = nil, lastError: String? = nil, ticket: String? = nil,
        deliveredAt: EpochMillis? = nil, rejectedAt: EpochMillis? = nil, channel: String = OutboxItem.hotline,
        kind: OutboxKind = .incident
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
        self.channel = channel
        self.kind = kind
    }

    /// The channel name of the 12349 hotline.
    public static let hotline = "hotline"
}
