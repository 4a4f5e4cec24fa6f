import AnxinCore
import Foundation

/// The alert engine: judges observations against the rules and decides what opens, updates,
/// resolves and escalates.
///
/// Pure and single-threaded: one pipeline thread owns it; it does no I/O and never reads the
/// clock. Measured durations come from the observations, wall-clock timers from ``tick(now:connected:into:)``.
/// Its state survives a restart through ``exportState()``/``drainChangedState()`` and ``restoreState(_:)``.
public final class RuleEngine {
    var rules: RuleSet
    let utcOffsetMillis: Int64
    let makeID: () -> String

    /// By subject key: resident id, `device:<id>`, or `gateway`. Any change forgets `visited`
    /// (``withSubject(_:residentID:mark:_:)`` sets it again after its own).
    var subjects: DenseStringMap<SubjectState> = [:] {
        didSet { visited = nil }
    }
    /// The subject ``withSubject(_:residentID:mark:_:)`` last visited and where it is in `subjects`:
    /// a message's further readings of the same resident go straight to it, without hashing its key.
    /// Valid while nothing else changed `subjects` (its `didSet` forgets it).
    var visited: (key: String, index: Int)?
    /// The latest values of every subject (``SubjectState/latest``).
    var latestPool = LatestPool()
    /// Liveness by device id. Any change forgets `heardNow` (``noteHeard`` sets it after its own).
    var devices: DenseStringMap<DeviceLiveness> = [:] {
        didSet { heardNow = nil }
    }
    /// The device ``noteHeard`` last found or left heard, with the moment and binding it was called
    /// with: a message's further observations come with the same and skip the lookup.
    var heardNow: HeardNow?
    struct HeardNow {
        var device: String
        /// Its position in `devices`.
        var index: Int
        var received: EpochMillis
        var connected: Int64
        var residentID: String?
    }
    /// Entries of `devices` bound to no resident.
    var unboundLiveness = 0
    /// At most this many devices bound to no resident have their liveness watched at a time.
    static let maxUnboundLiveness = 10_000
    var clock = EngineClock()
    /// Where each unresolved alert lives.
    var alertIndex: [String: AlertSlot] = [:] {
        didSet { alertsVersion &+= 1 }
    }
    /// Bumped whenever an alert opens or ends, or the rules are replaced.
    var alertsVersion = 0
    /// Subject keys holding an unresolved alert of a rule that data clears, as of `alertsVersion`.
    var selfClearingOpen: (version: Int, keys: Set<String>) = (-1, [])
    /// Alert ids with escalation steps or reminders still to come.
    var pendingEscalations: Set<String> = []
    /// Subject keys with a bed watch not yet raised.
    var pendingBedWatches: Set<String> = []
    /// Subjects, devices and the clock changed since the last drain.
    var changedSubjects: Set<String> = []
    var changedDevices: Set<String> = []
    /// Set while judging a reading when a threshold rule's visit changed what is saved at once.
    var progressMatters = false
    var lastMarkedSubject: String?
    var lastMarkedDevice: String?
    var clockChanged = false
    /// Export keys whose changes since they were last saved are progress only (see ``StateSaving``).
    var saving = StateSaving()
    /// Reused for every state blob.
    let stateEncoder = JSONEncoder()

    static let gatewaySubject = "gateway"
    static let gatewayDevice = "*"

    struct AlertSlot: Hashable {
        var subject: String
        var rule: String
    }

    /// - Parameters:
    ///   - rules: the compiled rules.
    ///   - utcOffsetSeconds: the local zone's offset, for the night window of bed-exit rules.
    ///   - idGenerator: makes a new, unique alert id.
    public init(rules: RuleSet, utcOffsetSeconds: Int, idGenerator: @escaping () -> String) {
        self.rules = rules
        self.utcOffsetMillis = Int64(utcOffsetSeconds) * 1000
        self.makeID = idGenerator
    }

    /// Staff acknowledged an alert: every escalation step and reminder still to come is cancelled.
    /// - Returns: false when the id is unknown or the alert is already resolved.
    public func acknowledge(alertID: String, at: EpochMillis) -> Bool {
        guard let slot = alertIndex[alertID], var rec = subjects[slot.subject]?.alerts[slot.rule] else { return false }
        if rec.acknowledgedAt == nil { rec.acknowledgedAt = at }
        rec.escalation = nil
        subjects[slot.subject]?.alerts[slot.rule] = rec
        pendingEscalations.remove(alertID)
        markSubject(slot.subject)
        return true
    }

    /// Staff resolved an alert: the slot is free, and the next breach opens a new alert. The breach
    /// in progress (same run of readings, same night exit, same silence) does not reopen it.
    /// - Returns: false when the id is unknown or the alert is already resolved.
    public func resolve(alertID: String, at: EpochMillis) -> Bool {
        guard let slot = alertIndex[alertID], var st = subjects[slot.subject],
            st.alerts.removeValue(forKey: slot.rule) != nil
        else { return false }
        if var p = st.progress[slot.rule], var run = p.run {
            run.reported = true
            p.run = run
            st.progress[slot.rule] = p
        }
        subjects[slot.subject] = st
        alertIndex.removeValue(forKey: alertID)
        pendingEscalations.remove(alertID)
        markSubject(slot.subject)
        return true
    }

    /// The alert opened under a silence: it gets no escalation steps or reminders at all (call it while
    /// handling the open's decisions; its first step fires on a later tick). Alerts that must never be
    /// silenced (``RuleSet/canSilence(rule:)``: sos, fall) keep their chain.
    /// - Returns: true when the alert is now silenced; false when the id is unknown, the alert is
    ///   resolved, or its rule is never silenced.
    public func silence(alertID: String) -> Bool {
        guard let slot = alertIndex[alertID], var rec = subjects[slot.subject]?.alerts[slot.rule],
            rules.canSilence(rule: slot.rule)
        else { return false }
        rec.escalation = nil
        subjects[slot.subject]?.alerts[slot.rule] = rec
        pendingEscalations.remove(alertID)
        markSubject(slot.subject)
        return true
    }

    /// Swaps in reloaded rules; open alerts, runs and timers are kept.
    public func replace(rules: RuleSet) {
        self.rules = rules
        alertsVersion &+= 1
    }

    /// How many subjects and devices the engine holds state for (logged after a restore).
    public var stateCounts: (subjects: Int, devices: Int, alerts: Int) {
        (subjects.count, devices.count, alertIndex.count)
    }

    /// Ids of the unresolved alerts, for inspection and tests.
    public var unresolvedAlertIDs: [String] { alertIndex.keys.sorted() }

    /// The observations of one message mark the same subject and device again and again: the last key
    /// marked is remembered, so a repeat costs a comparison, not a hash (emptied with the sets).
    func markSubject(_ key: String) {
        guard key != lastMarkedSubject else { return }
        changedSubjects.insert(key)
        lastMarkedSubject = key
    }
    func markDevice(_ id: String) {
        guard id != lastMarkedDevice else { return }
        changedDevices.insert(id)
        lastMarkedDevice = id
    }
    func markClock() { clockChanged = true }
    func forgetMarks() {
        lastMarkedSubject = nil
        lastMarkedDevice = nil
    }
}
