import AnxinCore

/// One alert as staff see it: the row behind `GET /api/v1/alerts` and every live-stream event.
///
/// Times are ISO-8601 text as they appear in the API (`2026-11-22T00:15:30Z`). `trigger` is a JSON
/// fragment (`{"event": "sos"}`, `{"kind": "systolic", "value": 230}`) written out verbatim; it must
/// be valid JSON text.
public struct AlertView: Sendable, Codable, Hashable {
    public var id: String
    /// The rule that opened it (`sos`, `heart_rate_high`, …).
    public var rule: String
    public var severity: Severity
    public var state: AlertState
    /// The resident it concerns, nil for an unbound device.
    public var resident: ResidentRef?
    /// The device that fired it, nil for alerts that stand for many devices (`ingest_outage`).
    public var device: DeviceRef?
    /// The reading or event that fired the rule, as raw JSON text.
    public var trigger: String
    public var openedAt: String
    public var updatedAt: String
    public var acknowledgedAt: String?
    public var acknowledgedBy: String?
    public var resolvedAt: String?
    /// The hotline incident, nil when the alert was not routed to the hotline.
    public var incident: IncidentRef?
    /// Opened while a silence covered it: recorded and shown, nobody notified.
    public var silenced: Bool
    /// Escalation steps fired so far (0: none yet).
    public var escalationStep: Int
    /// When the latest escalation step fired.
    public var escalatedAt: String?
    /// Resolved as a false alarm (the hotline was told "cancelled").
    public var cancelled: Bool
    /// The latest status the hotline reported for its incident.
    public var hotlineStatus: String?

    public init(
        id: String, rule: String, severity: Severity, state: AlertState, resident: ResidentRef?,
        device: DeviceRef?, trigger: String, openedAt: String, updatedAt: String,
        acknowledgedAt: String? = nil, acknowledgedBy: String? = nil, resolvedAt: String? = nil,
        incident: IncidentRef? = nil, silenced: Bool = false, escalationStep: Int = 0, escalatedAt: String? = nil,
        cancelled: Bool = false, hotlineStatus: String? = nil
    ) {
        self.id = id
        self.rule = rule
        self.severity = severity
        self.state = state
        self.resident = resident
        self.device = device
        self.trigger = trigger
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
        self.resolvedAt = resolvedAt
        self.incident = incident
        self.silenced = silenced
        self.escalationStep = escalationStep
        self.escalatedAt = escalatedAt
        self.cancelled = cancelled
        self.hotlineStatus = hotlineStatus
    }
}

/// Who an alert concerns, in brief.
public struct ResidentRef: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var bed: String?
    public var room: String?
    /// The registry's care level (1 = most independent), nil when not recorded.
    public var careLevel: Int?

    public init(id: String, name: String, bed: String? = nil, room: String? = nil, careLevel: Int? = nil) {
        self.id = id
        self.name = name
        self.bed = bed
        self.room = room
        self.careLevel = careLevel
    }

    enum CodingKeys: String, CodingKey {
        case id, name, bed, room
        case careLevel = "care_level"
    }
}

/// The device behind an alert.
public struct DeviceRef: Sendable, Codable, Hashable {
    public var id: String
    public var profile: String

    public init(id: String, profile: String) {
        self.id = id
        self.profile = profile
    }
}

/// The hotline incident an alert became.
public struct IncidentRef: Sendable, Codable, Hashable {
    public var id: String
    /// Delivery state as the outbox names it (`pending`, `delivered`, `rejected`, …).
    public var state: String
    /// The hotline's ticket, once it answered with one.
    public var ticket: String?

    public init(id: String, state: String, ticket: String? = nil) {
        self.id = id
        self.state = state
        self.ticket = ticket
    }
}
