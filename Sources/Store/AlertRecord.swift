import AnxinCore

/// An alert as stored: what fired, for whom, and where it is in its lifecycle.
public struct AlertRecord: Sendable, Hashable {
    /// Stable alert id.
    public var id: String
    /// The rule that fired (`sos`, `heart_rate_high`, …).
    public var rule: String
    public var severity: Severity
    public var state: AlertState
    /// The resident the device or bed is bound to; nil for an unregistered device.
    public var residentID: String?
    /// The device that sent the reading or event.
    public var device: String
    /// The trigger as JSON text, e.g. `{"kind": "systolic", "value": 230}`.
    public var triggerJSON: String
    /// Measured time of the reading or event that fired the rule.
    public var occurredAt: EpochMillis
    public var openedAt: EpochMillis
    public var updatedAt: EpochMillis
    public var acknowledgedAt: EpochMillis?
    public var acknowledgedBy: String?
    public var resolvedAt: EpochMillis?
    public var resolvedBy: String?
    /// When it was routed to the hotline after going unacknowledged.
    public var escalatedAt: EpochMillis?
    /// The hotline incident (outbox id), when routed there.
    public var incidentID: String?
    /// The incident's delivery state, kept in step by the outbox calls.
    public var incidentState: IncidentState?
    /// The hotline's ticket, once it gave one.
    public var ticket: String?
    /// The silence in force when it opened (it is recorded and shown, but nobody is notified).
    public var silenceID: Int64?
    /// How many escalation steps have fired.
    public var escalationStep: Int
    /// Resolved by staff as a false alarm (the hotline was told "cancelled").
    public var cancelled: Bool
    /// The latest status the hotline reported for its incident.
    public var hotlineStatus: String?

    public init(
        id: String, rule: String, severity: Severity, state: AlertState = .open, residentID: String?,
        device: String, triggerJSON: String, occurredAt: EpochMillis, openedAt: EpochMillis,
        updatedAt: EpochMillis, acknowledgedAt: EpochMillis? = nil, acknowledgedBy: String? = nil,
        resolvedAt: EpochMillis? = nil, resolvedBy: String? = nil, escalatedAt: EpochMillis? = nil,
        incidentID: String? = nil, incidentState: IncidentState? = nil, ticket: String? = nil,
        silenceID: Int64? = nil, escalationStep: Int = 0, cancelled: Bool = false, hotlineStatus: String? = nil
    ) {
        self.id = id
        self.rule = rule
        self.severity = severity
        self.state = state
        self.residentID = residentID
        self.device = device
        self.triggerJSON = triggerJSON
        self.occurredAt = occurredAt
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
        self.resolvedAt = resolvedAt
        self.resolvedBy = resolvedBy
        self.escalatedAt = escalatedAt
        self.incidentID = incidentID
        self.incidentState = incidentState
        self.ticket = ticket
        self.silenceID = silenceID
        self.escalationStep = escalationStep
        self.cancelled = cancelled
        self.hotlineStatus = hotlineStatus
    }
}

/// Where a hotline incident stands.
public enum IncidentState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its first or next attempt.
    case pending
    /// Accepted by the hotline (2xx or 409).
    case delivered
    /// Refused by the hotline (a 4xx other than 408/409/429): kept, retried only when requeued.
    case rejected
}
