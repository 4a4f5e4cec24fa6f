import AnxinCore

/// Which rule state waits to be saved, and what each key looked like when it last was.
///
/// A key's *mark* hashes only what matters after a restart (see
/// ``RuleEngine/drainChangedState(monotonicNow:lazyWithin:)``); a change that leaves the mark as saved
/// is progress, and waits in a first-in first-out queue until it is due. A hash collision could only
/// make a change wait: every deferred key is saved once due, whatever its mark.
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

/// A subject's or a device's rule state, as ``StateSaving`` sees it.
protocol SavedRuleState {
    /// Its progress waits to be saved.
    var waiting: Bool { get set }
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

struct StateSaving {
    /// A key saved as present (a key never saved, or saved as gone, has no entry). Two plain words: a
    /// city's devices and residents each have one.
    struct Entry {
        /// The mark as last saved.
        var mark: Int
        /// Since when a change of progress waits to be saved; `Entry.none` when none waits.
        var since: EpochMillis

        static let none = EpochMillis.min
    }

    /// By subject and by device id (one lookup per changed key and commit): two tables keyed by plain
    /// strings, since a `StateKey` takes 24 bytes and a string 16, for each of a city's keys.
    private var subjectEntries: [String: Entry] = [:]
    private var deviceEntries: [String: Entry] = [:]
    /// Keys in the order they started to wait (entries of keys saved since are skipped).
    private var queue: [(key: StateKey, since: EpochMillis)] = []
    private var head = 0

    init(capacity: Int = 0) {
        subjectEntries.reserveCapacity(capacity / 2)
        deviceEntries.reserveCapacity(capacity / 2)
    }

    /// The table of `key`'s kind, and its text there.
    private mutating func withTable<T>(_ key: StateKey, _ body: (inout [String: Entry], String) -> T) -> T {
        switch key {
        case .subject(let s): body(&subjectEntries, s)
        case .device(let d): body(&deviceEntries, d)
        }
    }

    private func entry(_ key: StateKey) -> Entry? {
        switch key {
        case .subject(let s): subjectEntries[s]
        case .device(let d): deviceEntries[d]
        }
    }

    /// A key changed and now has `mark`: true when it must be saved now (the caller saves it); false
    /// when the change is progress, which then waits from `now` unless it already waits.
    mutating func changed(_ key: StateKey, mark: Int?, now: EpochMillis) -> Bool {
        let (saveNow, startedWaiting) = withTable(key) { entries, k -> (Bool, Bool) in
            guard let mark else {
                // Gone: saved at once unless it was never saved or saved as gone.
                return (entries.removeValue(forKey: k) != nil, false)
            }
            // One lookup, changed in place.
            guard let slot = entries.index(forKey: k) else {
                entries[k] = Entry(mark: mark, since: Entry.none)
                return (true, false)
            }
            if entries.values[slot].mark != mark {
                entries.values[slot] = Entry(mark: mark, since: Entry.none)
                return (true, false)
            }
            if entries.values[slot].since == Entry.none {
                entries.values[slot].since = now
                return (false, true)
            }
            return (false, false)
        }
        if startedWaiting { queue.append((key, now)) }
        return saveNow
    }

    /// `key` was saved with this mark.
    mutating func saved(_ key: StateKey, mark: Int?) {
        withTable(key) { entries, k in
            if let mark {
                entries[k] = Entry(mark: mark, since: Entry.none)
            } else {
                entries.removeValue(forKey: k)
            }
        }
    }

    /// Keys that have waited since `cutoff` or before, oldest first (the caller saves them).
    mutating func takeDue(before cutoff: EpochMillis) -> [StateKey] {
        var out: [StateKey] = []
        while head < queue.count, queue[head].since <= cutoff {
            let entry = queue[head]
            head += 1
            let due = withTable(entry.key) { entries, k -> Bool in
                guard let slot = entries.index(forKey: k), entries.values[slot].since == entry.since else {
                    return false
                }
                entries.values[slot].since = Entry.none
                return true
            }
            if due { out.append(entry.key) }
        }
        if head > 4096, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return out
    }

    func hasDue(before cutoff: EpochMillis) -> Bool {
        var i = head
        while i < queue.count, queue[i].since <= cutoff {
            if entry(queue[i].key)?.since == queue[i].since { return true }
            i += 1
        }
        return false
    }

    /// Every waiting key (the caller saves them); none waits afterwards.
    mutating func takeAll() -> [StateKey] {
        var keys: [StateKey] = []
        for (k, e) in subjectEntries where e.since != Entry.none { keys.append(.subject(k)) }
        for (k, e) in deviceEntries where e.since != Entry.none { keys.append(.device(k)) }
        for k in keys { withTable(k) { entries, text in entries[text]?.since = Entry.none } }
        queue.removeAll()
        head = 0
        return keys
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
