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
/// of it, so no table beside the engine's own holds a city's keys a second time.
protocol SavedRuleState {
    /// It is in the database as present (a key never saved, or saved as gone, is not).
    var saved: Bool { get set }
    /// Its mark when last saved (``RuleEngine/mark(of:)``, the low 32 bits: a collision could only make a
    /// change wait, and every waiting key is saved once due).
    var savedMark: Int32 { get set }
    /// Its progress waits to be saved.
    var waiting: Bool { get set }
    /// Which entry of the queue of waiting keys stands for its wait (older entries are stale).
    var waitTicket: UInt32 { get set }
    /// What of it must be saved at once when it changes (``RuleEngine/mark(of:)``).
    var saveMark: Int { get }
    func encoded() -> [UInt8]
}

extension SubjectState: SavedRuleState {
    var saveMark: Int { RuleEngine.mark(of: self) }
    func encoded() -> [UInt8] { StateCodec.encode(self) }
}

extension DeviceLiveness: SavedRuleState {
    var saveMark: Int { RuleEngine.mark(of: self) }
    func encoded() -> [UInt8] { StateCodec.encode(self) }
}

/// Which rule state waits to be saved.
///
/// A key's *mark* hashes only what matters after a restart (see
/// ``RuleEngine/drainChangedState(monotonicNow:lazyWithin:)``); a change that leaves the mark as saved
/// is progress, and waits in a first-in first-out queue until it is due. A hash collision could only
/// make a change wait: every deferred key is saved once due, whatever its mark.
///
/// This holds the order in which keys started to wait, and the keys saved as present that the engine
/// has dropped since (their rows are deleted at the next drain). What each key looked like when last
/// saved is kept in its own state (``SavedRuleState``), not in a table of a city's keys beside it.
struct StateSaving {
    /// Keys in the order they started to wait; an entry whose key no longer waits under its ticket is
    /// skipped.
    private var queue: [(key: StateKey, since: EpochMillis, ticket: UInt32)] = []
    private var head = 0
    private var nextTicket: UInt32 = 0
    /// Keys saved as present and then dropped by the engine (an idle unbound device forgotten).
    private var gone: Set<StateKey> = []

    init() {}

    /// A key starts to wait at `now`; its ticket.
    mutating func startWaiting(_ key: StateKey, now: EpochMillis) -> UInt32 {
        nextTicket &+= 1
        queue.append((key, now, nextTicket))
        return nextTicket
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

    /// Queue entries that have waited since `cutoff` or before, oldest first; `isCurrent` tells whether
    /// an entry's key still waits under its ticket (the caller saves those).
    mutating func takeDue(before cutoff: EpochMillis, isCurrent: (StateKey, UInt32) -> Bool) -> [StateKey] {
        var out: [StateKey] = []
        while head < queue.count, queue[head].since <= cutoff {
            let entry = queue[head]
            head += 1
            if isCurrent(entry.key, entry.ticket) { out.append(entry.key) }
        }
        if head > 4096, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return out
    }

    func hasDue(before cutoff: EpochMillis, isCurrent: (StateKey, UInt32) -> Bool) -> Bool {
        var i = head
        while i < queue.count, queue[i].since <= cutoff {
            if isCurrent(queue[i].key, queue[i].ticket) { return true }
            i += 1
        }
        return false
    }

    /// Forgets every waiting entry (the caller saves every waiting key).
    mutating func clearQueue() {
        queue.removeAll()
        head = 0
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
        case .subject(let s): subjects[s]?.encoded()
        case .device(let d): devices[d]?.encoded()
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
