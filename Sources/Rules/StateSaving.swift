import AnxinCore

/// Which rule state waits to be saved, and what each key looked like when it last was.
///
/// A key's *mark* hashes only what matters after a restart (see
/// ``RuleEngine/drainChangedState(monotonicNow:lazyWithin:)``); a change that leaves the mark as saved
/// is progress, and waits in a first-in first-out queue until it is due. A hash collision could only
/// make a change wait: every deferred key is saved once due, whatever its mark.
struct StateSaving {
    /// The mark of each key as last saved; absent when never saved or saved as gone.
    private var marks: [String: Int] = [:]
    /// Deferred keys and since when they wait.
    private var waiting: [String: EpochMillis] = [:]
    /// The same keys in the order they started to wait (entries of keys saved since are skipped).
    private var queue: [(key: String, since: EpochMillis)] = []
    private var head = 0

    func matchesSaved(_ key: String, mark: Int?) -> Bool { marks[key] == mark }

    /// `key` was saved (or is being saved) with this mark.
    mutating func saved(_ key: String, mark: Int?) {
        marks[key] = mark
        waiting.removeValue(forKey: key)
    }

    /// `key` changed in progress only; it waits from `since` unless it already waits.
    mutating func `defer`(_ key: String, since: EpochMillis) {
        guard waiting[key] == nil else { return }
        waiting[key] = since
        queue.append((key, since))
    }

    /// Keys that have waited since `cutoff` or before, oldest first; they stop waiting.
    mutating func takeDue(before cutoff: EpochMillis) -> [String] {
        var out: [String] = []
        while head < queue.count, queue[head].since <= cutoff {
            let entry = queue[head]
            head += 1
            if waiting[entry.key] == entry.since {
                waiting.removeValue(forKey: entry.key)
                out.append(entry.key)
            }
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
            if waiting[queue[i].key] == queue[i].since { return true }
            i += 1
        }
        return false
    }

    /// Every waiting key; none waits afterwards.
    mutating func takeAll() -> [String] {
        let keys = Array(waiting.keys)
        waiting.removeAll()
        queue.removeAll()
        head = 0
        return keys
    }

    var waitingCount: Int { waiting.count }
}

extension RuleEngine {
    /// What of a key's state must be saved at once when it changes; nil when the key holds nothing.
    /// The engine clock gets a new mark every time (one row, saved with every commit that changed it).
    func mark(forKey key: String) -> Int? {
        if key == "engine" {
            clockSerial &+= 1
            return clockSerial
        }
        if key.hasPrefix("subject:") {
            return subjects[String(key.dropFirst("subject:".count))].map(Self.mark(of:))
        }
        if key.hasPrefix("device:") {
            return devices[String(key.dropFirst("device:".count))].map(Self.mark(of:))
        }
        return nil
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
