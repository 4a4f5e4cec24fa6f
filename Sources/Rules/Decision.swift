import AnxinCore

/// What made a rule fire, update or clear.
public enum Trigger: Sendable, Hashable, Codable {
    /// A device event (`sos`, `fall`, …).
    case event(EventKind)
    /// A numeric reading and its value in the kind's unit.
    case reading(ReadingKind, Double)
    /// A position (WGS-84).
    case location(lat: Double, lon: Double)
    /// A device silent for this many minutes of connected time.
    case silence(minutes: Int)
    /// This many devices fell silent together.
    case outage(devices: Int)

    /// The SPEC's `trigger` object: `{"event": "sos"}`, `{"kind": "systolic", "value": 230}`, …
    public var json: String {
        switch self {
        case .event(let e): "{\"event\": \(JSONText.quote(e.name))}"
        case .reading(let k, let v): "{\"kind\": \(JSONText.quote(k.name)), \"value\": \(JSONText.number(v))}"
        case .location(let lat, let lon):
            "{\"kind\": \"location\", \"lat\": \(JSONText.number(lat)), \"lon\": \(JSONText.number(lon))}"
        case .silence(let m): "{\"kind\": \"silence\", \"minutes\": \(m)}"
        case .outage(let n): "{\"kind\": \"outage\", \"devices\": \(n)}"
        }
    }
}

/// One thing the engine decided; the pipeline stores it and routes it.
public struct Decision: Sendable, Hashable {
    /// What happens to the alert.
    public enum Action: Sendable, Hashable {
        /// A new alert.
        case open
        /// A new breach of an alert that is still open or acknowledged.
        case update
        /// The condition cleared past its clear limit (or data came back).
        case resolve
        /// Not acknowledged in time: send it to the hotline now.
        case escalate
    }

    public var action: Action
    /// The alert's id, stable across open, updates, escalation and resolution.
    public var alertID: String
    public var rule: String
    public var severity: Severity
    /// The resident, nil for an unbound device (and for `ingest_outage`).
    public var residentID: String?
    /// The device whose observation caused this (`*` for `ingest_outage`).
    public var device: String
    public var trigger: Trigger
    /// Measured time of the reading or event behind it; for escalation, that of the opening
    /// trigger; for wall-clock rules (silence, outage), the tick's time.
    public var occurredAt: EpochMillis
    /// True: this decision must go to the 12349 hotline now (open of a hotline-routed rule, or escalate).
    public var toHotline: Bool

    public init(
        action: Action, alertID: String, rule: String, severity: Severity, residentID: String?, device: String,
        trigger: Trigger, occurredAt: EpochMillis, toHotline: Bool
    ) {
        self.action = action
        self.alertID = alertID
        self.rule = rule
        self.severity = severity
        self.residentID = residentID
        self.device = device
        self.trigger = trigger
        self.occurredAt = occurredAt
        self.toHotline = toHotline
    }
}
