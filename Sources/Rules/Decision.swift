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
        /// A step of the alert's escalation chain (or a reminder of one) is due: notify ``Decision/targets``.
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
    /// True: this decision must go to the 12349 hotline now: the open of a hotline-routed rule, or an
    /// escalation step whose targets include `hotline` (skip it when the alert already has an incident).
    public var toHotline: Bool
    /// For ``Action/escalate``: the step's 0-based index in the alert's chain; nil for other actions.
    public var step: Int?
    /// For ``Action/escalate``: who to notify: ``EscalationStep/hotline``, ``EscalationStep/oncall`` or a
    /// group of the gateway config; empty for other actions. A reminder never names the hotline.
    public var targets: [String]
    /// For ``Action/escalate``: 0 for the step's first firing, 1, 2, … for its reminders (a reminder
    /// number is skipped when the gateway was down at its time); 0 for other actions.
    public var reminder: Int

    public init(
        action: Action, alertID: String, rule: String, severity: Severity, residentID: String?, device: String,
        trigger: Trigger, occurredAt: EpochMillis, toHotline: Bool, step: Int? = nil, targets: [String] = [],
        reminder: Int = 0
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
        self.step = step
        self.targets = targets
        self.reminder = reminder
    }
}
