import AnxinCore

/// Everything the hotline is told about one incident, before it is rendered to JSON.
public struct IncidentDraft: Sendable, Hashable {
    /// What fired the rule: a device event, or a reading with its value.
    public enum Trigger: Sendable, Hashable {
        /// Rendered `{"event": "sos"}`.
        case event(EventKind)
        /// Rendered `{"kind": "systolic", "value": 230}` (a location's value is an object).
        case reading(ReadingKind, ReadingValue)
    }

    /// The device the trigger came from.
    public struct Device: Sendable, Hashable {
        public var id: String
        public var profile: String
        /// False when the registry binds the device to no resident or bed.
        public var registered: Bool
        /// The device's own phone number, when the registry knows it.
        public var sim: String?
        public init(id: String, profile: String, registered: Bool, sim: String? = nil) {
            self.id = id
            self.profile = profile
            self.registered = registered
            self.sim = sim
        }
    }

    /// A position with the time it was measured.
    public struct Fix: Sendable, Hashable {
        public var location: Location
        public var at: EpochMillis
        public init(_ location: Location, at: EpochMillis) {
            self.location = location
            self.at = at
        }
    }

    /// One vital sign value with its measured time.
    public struct Vital: Sendable, Hashable {
        public var kind: ReadingKind
        public var value: Double
        public var at: EpochMillis
        public init(_ kind: ReadingKind, _ value: Double, at: EpochMillis) {
            self.kind = kind
            self.value = value
            self.at = at
        }
    }

    /// Stable incident id, the same on every retry.
    public var id: String
    public var gatewayID: String
    /// Rule name, e.g. `sos`.
    public var rule: String
    public var severity: Severity
    /// Measured time of the reading or event that fired the rule.
    public var occurredAt: EpochMillis
    /// Offset every time in the body is written with (e.g. 28800 for `+08:00`).
    public var utcOffsetSeconds: Int
    public var trigger: Trigger
    /// One line for the operator, e.g. `张桂兰 3号楼302室 SOS 呼叫`.
    public var summary: String
    /// Nil for an unregistered device: rendered `"resident": null`.
    public var resident: Resident?
    /// The bed the sensor sits on; when nil the resident's own bed is used.
    public var bedCode: String?
    /// The room of that bed; when nil the resident's own room is used.
    public var room: String?
    public var device: Device
    /// Latest fix of the last 15 minutes, or nil (`"location": null`).
    public var location: Fix?
    /// Latest value per kind from the last 15 minutes; when a kind appears twice the later wins.
    public var vitals: [Vital]

    public init(
        id: String, gatewayID: String, rule: String, severity: Severity, occurredAt: EpochMillis,
        utcOffsetSeconds: Int, trigger: Trigger, summary: String, resident: Resident?,
        bedCode: String? = nil, room: String? = nil, device: Device, location: Fix? = nil,
        vitals: [Vital] = []
    ) {
        self.id = id
        self.gatewayID = gatewayID
        self.rule = rule
        self.severity = severity
        self.occurredAt = occurredAt
        self.utcOffsetSeconds = utcOffsetSeconds
        self.trigger = trigger
        self.summary = summary
        self.resident = resident
        self.bedCode = bedCode
        self.room = room
        self.device = device
        self.location = location
        self.vitals = vitals
    }
}
