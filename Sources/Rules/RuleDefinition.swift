import AnxinCore

/// A comparison of a reading with a limit, as written in the rules file (`">= 131"`).
struct Limit: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The comparison operator.
    enum Comparison: String, Sendable, Hashable, Codable, CaseIterable {
        case atLeast = ">="
        case above = ">"
        case atMost = "<="
        case below = "<"

        /// True for `>=` and `>`.
        var isUpward: Bool { self == .atLeast || self == .above }
    }

    var comparison: Comparison
    var value: Double

    init(_ comparison: Comparison, _ value: Double) {
        self.comparison = comparison
        self.value = value
    }

    /// Whether `v` satisfies the comparison.
    func holds(_ v: Double) -> Bool {
        switch comparison {
        case .atLeast: v >= value
        case .above: v > value
        case .atMost: v <= value
        case .below: v < value
        }
    }

    /// The same comparison with another limit value (a resident's override).
    func with(value v: Double) -> Limit { Limit(comparison, v) }

    var description: String { "\(comparison.rawValue) \(RuleSet.format(value))" }
}

/// One measure of a threshold rule: when it fires and when it clears.
struct MeasureLimits: Sendable {
    var kind: ReadingKind
    var fire: Limit
    var clear: Limit
    /// `<rule>.<measure>`: the override key that always works.
    var qualifiedKey: String
    /// `<rule>`: the short override key, only for single-measure rules.
    var shortKey: String?

    /// True when no value can both fire and clear: the fire limit lies on the far side of the clear limit.
    static func separates(fire: Limit, clear: Limit) -> Bool {
        switch (fire.comparison, clear.comparison) {
        case (.atLeast, .below): fire.value >= clear.value
        case (.atLeast, .atMost): fire.value > clear.value
        case (.above, .below): fire.value >= clear.value
        case (.above, .atMost): fire.value >= clear.value
        case (.atMost, .above): fire.value <= clear.value
        case (.atMost, .atLeast): fire.value < clear.value
        case (.below, .above): fire.value <= clear.value
        case (.below, .atLeast): fire.value <= clear.value
        default: false
        }
    }

    /// The effective fire limit for a subject: a valid override, else the file's limit.
    func fireLimit(_ overrides: [String: Double]) -> Limit {
        if overrides.isEmpty { return fire }
        let v = overrides[qualifiedKey] ?? shortKey.flatMap { overrides[$0] }
        guard let v, v.isFinite else { return fire }
        let candidate = fire.with(value: v)
        return MeasureLimits.separates(fire: candidate, clear: clear) ? candidate : fire
    }
}

/// Who an alert of a rule belongs to.
enum RuleScope: String, Sendable, Hashable, Codable {
    /// The resident (or `device:<id>` for an unbound device).
    case resident
    /// Always the device (`device:<id>`), even when bound.
    case device
    /// The gateway as a whole (ingest_outage).
    case gateway
}

/// Where a rule's alerts go.
enum RuleRoute: String, Sendable, Hashable, Codable {
    /// Staff only (possibly escalated to the hotline when not acknowledged).
    case staff
    /// The 12349 hotline at once, and staff.
    case hotline
}

/// What ends an event rule's alert besides staff.
enum EventClearance: String, Sendable, Hashable {
    case staff
    case vitalSign = "vital_sign"
    case data
}

/// The logic a rule runs, with its parameters (durations in milliseconds).
enum RuleLogic: Sendable {
    case event(events: [EventKind], clearedBy: EventClearance)
    case threshold(measures: [MeasureLimits], events: [EventKind])
    case silence(after: Int64, heardWithin: Int64)
    case outage(share: Double, heardWithin: Int64, together: Int64, minDevices: Int)
    /// Night window in minutes of the local day, `from` inclusive, `to` exclusive; may wrap midnight.
    case bedExit(nightFrom: Int, nightTo: Int, grace: Int64)
    case geofence
}

/// One compiled rule.
///
/// A class, read in place: the engine reads a definition for every rule it judges, and a struct's copy
/// retained each of its strings and arrays (perf: a fifth of judging a batch upload).
final class RuleDefinition: Sendable {
    let name: String
    let logic: RuleLogic
    let severity: Severity
    let route: RuleRoute
    /// Staff route only: escalate to the hotline when not acknowledged within this many ms.
    let escalateAfter: Int64?
    /// "For N min" on measured times; 0 = a single qualifying reading suffices.
    let duration: Int64
    let scope: RuleScope
    /// Names of lower tiers this rule holds back while it is unresolved.
    let suppresses: [String]
    /// Line of the rule's name in the file.
    let line: Int

    init(
        name: String, logic: RuleLogic, severity: Severity, route: RuleRoute, escalateAfter: Int64?, duration: Int64,
        scope: RuleScope, suppresses: [String], line: Int
    ) {
        self.name = name
        self.logic = logic
        self.severity = severity
        self.route = route
        self.escalateAfter = escalateAfter
        self.duration = duration
        self.scope = scope
        self.suppresses = suppresses
        self.line = line
    }
}
