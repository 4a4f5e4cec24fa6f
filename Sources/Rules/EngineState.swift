import AnxinCore

/// One unresolved alert as the engine keeps it.
struct AlertRecord: Codable, Sendable {
    var id: String
    var rule: String
    var subject: String
    var residentID: String?
    var device: String
    var severity: Severity
    var trigger: Trigger
    /// Measured time of the opening trigger.
    var occurredAt: EpochMillis
    /// Wall-clock time it opened.
    var openedAt: EpochMillis
    var acknowledgedAt: EpochMillis?
    /// Wall-clock time to escalate at, for staff rules with escalate_after.
    var escalateAt: EpochMillis?
    var escalated: Bool
}

/// A run of consecutive qualifying readings (measured times).
struct BreachRun: Codable, Sendable {
    var first: EpochMillis
    var last: EpochMillis
    /// The run already opened or updated its alert (or staff resolved it meanwhile).
    var reported: Bool
}

/// A rule's per-subject progress.
struct RuleProgress: Codable, Sendable {
    /// Measured time of the last reading judged; older readings are not judged again.
    var lastJudged: EpochMillis = .min
    var run: BreachRun?
    /// A run built from late samples (a buffered upload arriving after a live reading),
    /// judged on their own measured times so a backlog still fires its rule.
    var backfill: BreachRun?
}

/// A latest value of a measure, for rules that look at several measures together.
struct LatestValue: Codable, Sendable {
    var value: Double
    var at: EpochMillis
}

/// The night watch of a resident's bed.
struct BedWatch: Codable, Sendable {
    /// Measured time the resident was first seen out of bed in the night window.
    var outSince: EpochMillis
    var device: String
    var byEvent: Bool
    /// The alert for this exit was raised (or staff resolved it).
    var raised: Bool
}

/// Everything the engine holds about one subject (resident, or `device:<id>`).
struct SubjectState: Codable, Sendable {
    var residentID: String?
    var latest: [ReadingKind: LatestValue] = [:]
    var progress: [String: RuleProgress] = [:]
    /// Night bed watches by rule name.
    var beds: [String: BedWatch] = [:]
    /// Unresolved alerts by rule name.
    var alerts: [String: AlertRecord] = [:]

    init(residentID: String?) { self.residentID = residentID }
}

/// What the engine knows of a device's liveness, for silence and outage.
struct DeviceLiveness: Codable, Sendable {
    /// Wall-clock receive time of its last observation.
    var lastHeard: EpochMillis
    /// The engine's connected-time clock at that moment.
    var heardAtConnected: Int64
    /// Its silence is already covered (device_silent raised, part of an outage, or suppressed).
    var silenceReported: Bool
    var residentID: String?
}

/// Engine-wide state: the connected-time clock and the current outage.
struct EngineClock: Codable, Sendable {
    /// Milliseconds of wall-clock time during which the gateway was connected to the broker.
    var connected: Int64 = 0
    var lastTick: EpochMillis?
    var lastConnected = false
    /// Devices whose silence the open ingest_outage alert stands for.
    var outageMembers: Set<String> = []
}
