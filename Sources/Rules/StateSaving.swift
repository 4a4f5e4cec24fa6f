import AnxinCore

/// A saved rule state key without its text prefix, so it shares the engine's own key strings (a city's
/// devices would otherwise cost a second string each, and a concatenation per change).
enum StateKey: Hashable {
    case subject(String)
    case device(String)

    init?(exportKey key: String) {
        if key.hasPrefix("subject:") {
            self = .subject(String(key.dropFirst("subject:".count)))
        } else if key.hasPrefix("device:") {
            self = .device(String(key.dropFirst("device:".count)))
        } else {
            return nil
        }
    }

    /// `subject:<subject>` or `device:<id>`, as in ``RuleEngine/exportState()``.
    var exportKey: String {
        switch self {
        case .subject(let s): "subject:" + s
        case .device(let d): "device:" + d
        }
    }
}

/// A subject's or a device's rule state, as ``StateSaving`` sees it: each carries what was last saved
/// of it and since when its progress waits, so no table or queue beside the engine's own holds a city's
/// keys a second time.
protocol SavedRuleState {
    /// It is in the database as present (a key never saved, or saved as gone, is not).
    var saved: Bool { get set }
    /// Its mark when last saved (``RuleEngine/mark(of:)``, the low 32 bits: a collision could only make a
    /// change wait, and every waiting key is saved once due).
    var savedMark: Int32 { get set }
    /// Its progress waits to be saved.
    var waiting: Bool { get set }
    /// Since when it waits: the monotonic clock's second, rounded up (``StateSaving/startWaiting(now:)``).
    var waitingSince: UInt32 { get set }
    /// What of it must be saved at once when it changes (``RuleEngine/mark(of:)``).
    var saveMark: Int { get }
    /// Its saved form; `pool` holds the latest values of the engine's subjects.
    func encoded(latestIn pool: LatestPool) -> [UInt8]
}

extension SubjectState: SavedRuleState {
    var saveMark: Int { RuleEngine.mark(of: self) }
    func encoded(latestIn pool: LatestPool) -> [UInt8] { StateCodec.encode(self, latestIn: pool) }
}

extension DeviceLiveness: SavedRuleState {
    var saveMark: Int { RuleEngine.mark(of: self) }
    func encoded(latestIn pool: LatestPool) -> [UInt8] { StateCodec.encode(self, latestIn: pool) }
}

/// When waiting rule state is due to be saved.
///
/// A key's *mark* hashes only what matters after a restart (see
/// ``RuleEngine/drainChangedState(monotonicNow:lazyWithin:)``); a change that leaves the mark as saved
/// is progress, and waits. Each state records since when it waits (``SavedRuleState/waitingSince``);
/// the engine sweeps its states for those due, at most once a second and only when the earliest wait
/// is due, taking those due within the next second with them. So a wait is saved up to a second early,
/// never late, and nothing beside the states grows with a city (a queue of every waiting key took
/// 10.5 MB for 100,000 residents, BENCHMARKS.md). A hash collision could only make a change wait:
/// every waiting key is saved once due, whatever its mark.
///
/// This also holds the keys saved as present that the engine has dropped since (their rows are
/// deleted at the next drain).
struct StateSaving {
    /// How often at most the engine's states are swept for due waits, and how early a wait may be
    /// saved.
    static let sweepEveryMs: EpochMillis = 1_000

    /// At most this many waits are saved at one drain; a sweep that finds more goes on at the next
    /// drains, which the pipeline makes at once (``RuleEngine/stateSweepUnderWay``).
    /// A city's devices that all started to wait in the same second (a burst of traffic) would
    /// otherwise be encoded and written in one commit: 255,000 rows, 18 MB more resident at once.
    static let maxSavesPerDrain = 512

    /// The earliest second a state may wait since (`UInt32.max`: none waits).
    private var earliest = UInt32.max
    private var nextSweep = EpochMillis.min
    /// A sweep that stopped at `maxSavesPerDrain` goes on from this position of the engine's states
    /// (its subjects, then its devices); nil when none is under way.
    private(set) var sweepPosition: Int?
    /// The earliest second among the states the sweep under way passed and left waiting, and among
    /// the waits started since it began.
    private var sweepEarliest = UInt32.max
    /// Keys saved as present and then dropped by the engine (an idle unbound device forgotten).
    private var gone: Set<StateKey> = []

    init() {}

    /// A state starts to wait at `now` (monotonic ms); the second it waits since.
    mutating func startWaiting(now: EpochMillis) -> UInt32 {
        let since = UInt32(clamping: (max(0, now) + 999) / 1_000)
        earliest = min(earliest, since)
        sweepEarliest = min(sweepEarliest, since)
        return since
    }

    /// Waits since this second or before are due at `now`.
    static func dueSince(now: EpochMillis, lazyWithin: EpochMillis) -> Int64 {
        (now - lazyWithin + sweepEveryMs) / 1_000
    }

    /// Whether a drain at `now` would sweep: one is under way, or the earliest wait is due and the last
    /// ended a second ago or more.
    func sweepDue(now: EpochMillis, lazyWithin: EpochMillis) -> Bool {
        sweepPosition != nil
            || (earliest != .max && now >= nextSweep
                && Int64(earliest) <= Self.dueSince(now: now, lazyWithin: lazyWithin))
    }

    /// Where the sweep goes on (0 for a new one).
    mutating func beginSweep() -> Int {
        if let position = sweepPosition { return position }
        sweepEarliest = .max
        return 0
    }

    /// The sweep stopped at `position` (nil: it went through every state) at `now`; `earliest` is the
    /// earliest second a state it passed still waits since.
    mutating func endSweep(at position: Int?, now: EpochMillis, earliest passed: UInt32) {
        sweepEarliest = min(sweepEarliest, passed)
        sweepPosition = position
        if position == nil {
            earliest = sweepEarliest
            nextSweep = now + Self.sweepEveryMs
        }
    }

    /// The engine dropped a key's state; `wasSaved` when it was in the database as present.
    mutating func dropped(_ key: StateKey, wasSaved: Bool) {
        if wasSaved { gone.insert(key) }
    }

    /// Whether a key without state must be deleted (it was saved as present, then dropped); it is then
    /// no longer owed.
    mutating func takeGone(_ key: StateKey) -> Bool { !gone.isEmpty && gone.remove(key) != nil }

    /// A key is present again (or saved): no delete is owed for it.
    mutating func present(_ key: StateKey) {
        if !gone.isEmpty { gone.remove(key) }
    }

    /// Every key owed a delete; none is owed afterwards.
    mutating func takeAllGone() -> [StateKey] {
        defer { gone.removeAll() }
        return Array(gone)
    }

    /// No state waits any more (the caller saved every waiting one).
    mutating func clearWaits() {
        earliest = .max
        sweepEarliest = .max
        sweepPosition = nil
    }
}

extension RuleEngine {
    /// What of a key's state must be saved at once when it changes; nil when the key holds nothing.
    func mark(for key: StateKey) -> Int? {
        switch key {
        case .subject(let s): subjects[s]?.saveMark
        case .device(let d): devices[d]?.saveMark
        }
    }

    func blob(for key: StateKey) -> [UInt8]? {
        switch key {
        case .subject(let s): subjects[s]?.encoded(latestIn: latestPool)
        case .device(let d): devices[d]?.encoded(latestIn: latestPool)
        }
    }

    /// Alerts, bed watches, the resident, and each rule's runs by their start and whether they were
    /// reported; not latest values, the last judged time, or how far a run has been extended.
    static func mark(of st: SubjectState) -> Int {
        var h = Hasher()
        h.combine(st.residentID)
        var entries = 0
        for (rule, alert) in st.alerts {
            var e = Hasher()
            e.combine(1)
            e.combine(rule)
            e.combine(alert)
            entries &+= e.finalize()
        }
        for (rule, bed) in st.beds {
            var e = Hasher()
            e.combine(2)
            e.combine(rule)
            e.combine(bed)
            entries &+= e.finalize()
        }
        for (rule, p) in st.progress where p.run != nil || p.backfill != nil {
            var e = Hasher()
            e.combine(3)
            e.combine(rule)
            e.combine(p.run?.first)
            e.combine(p.run?.reported)
            e.combine(p.backfill?.first)
            e.combine(p.backfill?.reported)
            entries &+= e.finalize()
        }
        h.combine(entries)
        return h.finalize()
    }

    /// Whether its silence is reported and to whom it belongs; not when it was last heard.
    static func mark(of d: DeviceLiveness) -> Int {
        var h = Hasher()
        h.combine(d.silenceReported)
        h.combine(d.residentID)
        return h.finalize()
    }
}
