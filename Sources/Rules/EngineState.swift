import AnxinCore

/// One unresolved alert as the engine keeps it.
struct AlertRecord: Codable, Sendable, Hashable {
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
    /// Steps and reminders still to come; nil once acknowledged or silenced, or when none are left.
    var escalation: EscalationProgress?
    /// Only in state saved before escalation chains: the single hotline escalation's time, and
    /// whether it happened. ``RuleEngine/restoreState(_:)`` turns a pending one into a chain.
    var escalateAt: EpochMillis?
    var escalated: Bool?
}

/// Where an alert stands in its escalation chain. The chain is copied when the alert opens, so reloaded
/// rules never change a schedule in progress; times are wall clock, counted from the opening.
struct EscalationProgress: Codable, Sendable, Hashable {
    /// One step firing or one of its reminders.
    struct Firing: Equatable {
        var step: Int
        var reminder: Int
    }

    var steps: [EscalationStep]
    /// Index of the next step to fire (`steps.count` once all have fired).
    var next = 0
    /// When it fires; nil once all have fired.
    var nextStepAt: EpochMillis?
    /// Index of the latest step fired.
    var fired: Int?
    /// Number of the latest fired step's last reminder (0: none yet).
    var reminders = 0
    /// When its next reminder is due; nil when it does not repeat or the next step comes first.
    var nextReminderAt: EpochMillis?

    /// Progress of an alert that opened at `openedAt`; nil for an empty chain.
    init?(steps: [EscalationStep], openedAt: EpochMillis) {
        guard !steps.isEmpty else { return nil }
        self.steps = steps
        schedule(openedAt: openedAt)
    }

    /// The earliest time something is due; nil when nothing is left.
    var dueAt: EpochMillis? {
        switch (nextStepAt, nextReminderAt) {
        case (let s?, let r?): min(s, r)
        case (let s, let r): s ?? r
        }
    }

    /// Fires what is due at `now`: every step whose time has come, in order; otherwise at most one
    /// reminder of the latest step. Reminders missed while the gateway was down are skipped, not sent
    /// in a burst, and a step fires no reminders once the next step has fired.
    mutating func advance(now: EpochMillis, openedAt: EpochMillis) -> [Firing] {
        var out: [Firing] = []
        while next < steps.count, openedAt + steps[next].after <= now {
            let at = openedAt + steps[next].after
            fired = next
            reminders = steps[next].repeatEvery.map { Int((now - at) / $0) } ?? 0
            out.append(Firing(step: next, reminder: 0))
            next += 1
        }
        if out.isEmpty, let f = fired, let every = steps[f].repeatEvery {
            let n = Int((now - (openedAt + steps[f].after)) / every)
            if n > reminders {
                reminders = n
                out.append(Firing(step: f, reminder: n))
            }
        }
        schedule(openedAt: openedAt)
        return out
    }

    mutating func schedule(openedAt: EpochMillis) {
        nextStepAt = next < steps.count ? openedAt + steps[next].after : nil
        nextReminderAt = nil
        if let f = fired, let every = steps[f].repeatEvery, !steps[f].reminderTargets.isEmpty {
            let at = openedAt + steps[f].after + Int64(reminders + 1) * every
            if nextStepAt.map({ at < $0 }) ?? true { nextReminderAt = at }
        }
    }
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
typealias LatestValue = TimedValue
/// A subject's latest value of each measure its rules look at.
typealias LatestValues = LatestByKind

/// The night watch of a resident's bed.
struct BedWatch: Codable, Sendable, Hashable {
    /// Measured time the resident was first seen out of bed in the night window.
    var outSince: EpochMillis
    var device: String
    var byEvent: Bool
    /// The alert for this exit was raised (or staff resolved it).
    var raised: Bool
}

/// Everything the engine holds about one subject (resident, or `device:<id>`). A city's residents
/// each have one: the small fields come last, so no padding sits between them (56 bytes, with what
/// was last saved of it and where its latest values are in the engine's ``LatestPool``).
struct SubjectState: Sendable {
    var residentID: String?
    /// Runs in progress by rule name.
    var progress = RuleMap<RuleProgress>()
    /// Night bed watches by rule name.
    var beds = RuleMap<BedWatch>()
    /// Unresolved alerts by rule name.
    var alerts = RuleMap<AlertRecord>()
    /// What was last saved of it (``SavedRuleState``). Not saved.
    var savedMark: Int32 = 0
    var waitingSince: UInt32 = 0
    /// Its latest value of each measure its rules look at, in the engine's `latestPool`. Saved.
    var latest = LatestRef()
    /// Its progress waits to be saved (``StateSaving``): a further change of progress alone need not
    /// mark it. Not saved.
    var waiting = false
    /// It is in the database as present. Not saved.
    var saved = false

    init(residentID: String?) { self.residentID = residentID }
}

/// A subject's state as JSON, as it was saved before ``StateCodec``'s binary layout (still read), with
/// its latest values beside it.
struct SubjectStateJSON: Codable {
    var residentID: String?
    var latest = LatestValues()
    var progress = RuleMap<RuleProgress>()
    var beds = RuleMap<BedWatch>()
    var alerts = RuleMap<AlertRecord>()

    init(_ st: SubjectState, latest: LatestValues) {
        residentID = st.residentID
        self.latest = latest
        progress = st.progress
        beds = st.beds
        alerts = st.alerts
    }

    /// The state, its latest values put in `pool`.
    func state(latestIn pool: LatestPool) -> SubjectState {
        var st = SubjectState(residentID: residentID)
        st.progress = progress
        st.beds = beds
        st.alerts = alerts
        st.latest = pool.store(latest)
        return st
    }
}

/// What the engine knows of a device's liveness, for silence and outage, and its latest values for its
/// own rules. A city's devices each have one: the flags come last, so no padding sits between the
/// fields (56 bytes, with what was last saved of it).
struct DeviceLiveness: Codable, Sendable {
    /// Wall-clock receive time of its last observation.
    var lastHeard: EpochMillis
    /// The engine's connected-time clock at that moment.
    var heardAtConnected: Int64
    var residentID: String?
    /// What was last saved of it (``SavedRuleState``). Not saved.
    var savedMark: Int32 = 0
    var waitingSince: UInt32 = 0
    /// The latest values of its own rules' measures (low battery), in the engine's `latestPool`. Saved.
    var latest = LatestRef()
    /// Its silence is already covered (device_silent raised, part of an outage, or suppressed).
    var silenceReported: Bool
    /// Its subject (`device:<id>`) may exist: set whenever one is made, cleared when a look finds none,
    /// so a device with none is judged without making its key. Not saved (restored from the subjects).
    var mayHaveSubject = false
    /// Its progress waits to be saved (``StateSaving``): being heard again need not mark it. Not saved.
    var waiting = false
    /// It is in the database as present. Not saved.
    var saved = false

    private enum CodingKeys: String, CodingKey {
        case lastHeard, heardAtConnected, silenceReported, residentID
    }
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
