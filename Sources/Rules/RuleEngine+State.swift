import AnxinCore
import Foundation

extension RuleEngine {
    /// Everything needed to resume: open alerts, runs, bed watches, device liveness and the
    /// connected-time clock. Keys are `engine`, `subject:<subject>` and `device:<id>`; blobs are opaque.
    public func exportState() -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        out["engine"] = encode(clock)
        for (key, st) in subjects { out["subject:" + key] = StateCodec.encode(st, latestIn: latestPool) }
        for (id, d) in devices { out["device:" + id] = StateCodec.encode(d, latestIn: latestPool) }
        return out
    }

    /// All the state that changed since the last drain (or restore), progress included; a nil blob
    /// means the key is gone. For a shutdown, staff tools and tests.
    public func drainChangedState() -> [(key: String, blob: [UInt8]?)] {
        var keys = Set(takeChangedKeys())
        for (id, st) in subjects where st.waiting { keys.insert(StateKey.subject(id).exportKey) }
        for (id, d) in devices where d.waiting { keys.insert(StateKey.device(id).exportKey) }
        keys.formUnion(saving.takeAllGone().map(\.exportKey))
        saving.clearWaits()
        return keys.sorted().map { key in
            guard let k = StateKey(exportKey: key) else { return (key, blob(forKey: key)) }
            saving.present(k)
            return (key, saveNow(k))
        }
    }

    /// The state to save at a commit: every key whose change matters after a restart (an alert opened,
    /// acknowledged or escalated, a run started or reported, a bed watch, a silence reported, a device
    /// bound to another resident) at once; keys whose changes are progress only (a device heard, a
    /// latest value, a run extended) once they have waited `lazyWithin` ms of `monotonicNow`.
    ///
    /// What a crash can lose is then at most `lazyWithin` of progress, never an alert or the start of a
    /// run; the gain is that a city's devices each heard several times a second do not make every
    /// commit re-encode every subject they touch.
    ///
    /// `sweep: false` leaves the waits that are due for the next drain (``hasDeferredState(dueAt:lazyWithin:)``
    /// stays true): an alert's commit carries only what changed, not up to
    /// ``StateSaving/maxSavesPerDrain`` rows of progress.
    public func drainChangedState(monotonicNow now: EpochMillis, lazyWithin: EpochMillis, sweep: Bool = true)
        -> [(key: String, blob: [UInt8]?)]
    {
        var out: [(key: String, blob: [UInt8]?)] = []
        if clockChanged {
            // One row, saved whenever it changed.
            out.append(("engine", encode(clock)))
            clockChanged = false
        }
        for s in changedSubjects { drainChanged(s, in: &subjects, as: .subject(s), now: now, into: &out) }
        for id in changedDevices { drainChanged(id, in: &devices, as: .device(id), now: now, into: &out) }
        forgetChangedKeys()
        forgetMarks()
        if sweep, saving.sweepDue(now: now, lazyWithin: lazyWithin) {
            saveDueWaits(now: now, lazyWithin: lazyWithin, into: &out)
        }
        return out
    }

    /// Saves the states whose wait is due, at most ``StateSaving/maxSavesPerDrain`` of them, going on
    /// from where the last drain stopped. Positions run through the subjects, then the devices; a state
    /// moved by a removal meanwhile may be passed over until the next sweep, a second later.
    private func saveDueWaits(
        now: EpochMillis, lazyWithin: EpochMillis, into out: inout [(key: String, blob: [UInt8]?)]
    ) {
        let due = StateSaving.dueSince(now: now, lazyWithin: lazyWithin)
        var earliest = UInt32.max
        var budget = StateSaving.maxSavesPerDrain
        let subjectCount = subjects.count
        var position = saving.beginSweep()
        if position < subjectCount {
            position = saveDue(
                &subjects, from: position, as: StateKey.subject, dueSince: due, budget: &budget, earliest: &earliest,
                into: &out)
        }
        if position >= subjectCount {
            position =
                subjectCount
                + saveDue(
                    &devices, from: position - subjectCount, as: StateKey.device, dueSince: due, budget: &budget,
                    earliest: &earliest, into: &out)
        }
        let done = position >= subjectCount + devices.count
        saving.endSweep(at: done ? nil : position, now: now, earliest: earliest)
    }

    /// One changed subject or device at a commit: saved now when it is new to the database or what
    /// matters changed, else its progress waits (`waiting`, so its next changes of progress alone are
    /// not marked) unless it waits already. A key the engine dropped is deleted if it was saved.
    private func drainChanged<S: SavedRuleState>(
        _ id: String, in table: inout DenseStringMap<S>, as key: StateKey, now: EpochMillis,
        into out: inout [(key: String, blob: [UInt8]?)]
    ) {
        guard let i = table.index(forKey: id) else {
            if saving.takeGone(key) { out.append((key.exportKey, nil)) }
            return
        }
        let mark = Int32(truncatingIfNeeded: table.values[i].saveMark)
        if !table.values[i].saved || table.values[i].savedMark != mark {
            saving.present(key)
            table.values[i].saved = true
            table.values[i].savedMark = mark
            table.values[i].waiting = false
            out.append((key.exportKey, table.values[i].encoded(latestIn: latestPool)))
        } else if !table.values[i].waiting {
            table.values[i].waiting = true
            table.values[i].waitingSince = saving.startWaiting(now: now)
        }
    }

    /// Saves the states of `table` from `start` on that wait since `dueSince` or before (their mark as
    /// it was saved: a change of mark is saved at once), until `budget` runs out; where it stopped
    /// (`table.count` when it went through). `earliest` becomes the earliest second any state it passed
    /// still waits since.
    private func saveDue<S: SavedRuleState>(
        _ table: inout DenseStringMap<S>, from start: Int, as key: (String) -> StateKey, dueSince: Int64,
        budget: inout Int, earliest: inout UInt32, into out: inout [(key: String, blob: [UInt8]?)]
    ) -> Int {
        var i = start
        while i < table.count {
            defer { i += 1 }
            guard table.values[i].waiting else { continue }
            let since = table.values[i].waitingSince
            guard Int64(since) <= dueSince else {
                earliest = min(earliest, since)
                continue
            }
            guard budget > 0 else { return i }
            budget -= 1
            if !table.values[i].saved {
                table.values[i].savedMark = Int32(truncatingIfNeeded: table.values[i].saveMark)
            }
            table.values[i].saved = true
            table.values[i].waiting = false
            out.append((key(table.keys[i]).exportKey, table.values[i].encoded(latestIn: latestPool)))
        }
        return table.count
    }

    /// The key's state to save now, recorded as saved (nil when the engine holds none: delete it).
    private func saveNow(_ key: StateKey) -> [UInt8]? {
        switch key {
        case .subject(let s): saveNow(s, in: &subjects)
        case .device(let d): saveNow(d, in: &devices)
        }
    }

    private func saveNow<S: SavedRuleState>(_ id: String, in table: inout DenseStringMap<S>) -> [UInt8]? {
        guard let i = table.index(forKey: id) else { return nil }
        table.values[i].savedMark = Int32(truncatingIfNeeded: table.values[i].saveMark)
        table.values[i].saved = true
        table.values[i].waiting = false
        return table.values[i].encoded(latestIn: latestPool)
    }

    /// Empties the sets of changed keys, keeping their room only up to a usual drain's size: a city's
    /// devices first heard together put every one of them in at once, and that room would stay.
    func forgetChangedKeys() {
        changedSubjects.removeAll(keepingCapacity: changedSubjects.capacity <= Self.keptChangedCapacity)
        changedDevices.removeAll(keepingCapacity: changedDevices.capacity <= Self.keptChangedCapacity)
    }

    /// Room for changed keys kept between drains.
    static let keptChangedCapacity = 16_384

    /// Records that the engine dropped a subject's state (it is deleted at the next drain if it was saved).
    func dropSubject(_ key: String) {
        if var gone = subjects.removeValue(forKey: key) {
            latestPool.release(&gone.latest)
            saving.dropped(.subject(key), wasSaved: gone.saved)
        }
    }

    /// A sweep for due waits stopped at ``StateSaving/maxSavesPerDrain`` and goes on at the next drain:
    /// the pipeline commits again at once.
    public var stateSweepUnderWay: Bool { saving.sweepPosition != nil }

    /// Progress waits to be saved (for the pipeline's idle ticks).
    public func hasDeferredState(dueAt now: EpochMillis, lazyWithin: EpochMillis) -> Bool {
        saving.sweepDue(now: now, lazyWithin: lazyWithin)
    }

    private func takeChangedKeys() -> [String] {
        var keys: [String] = []
        keys.reserveCapacity(changedSubjects.count + changedDevices.count + 1)
        if clockChanged { keys.append("engine") }
        for s in changedSubjects { keys.append("subject:" + s) }
        for d in changedDevices { keys.append("device:" + d) }
        forgetChangedKeys()
        forgetMarks()
        clockChanged = false
        return keys
    }

    /// Replaces the engine's state with an export (or the union of drained changes).
    /// Unreadable entries are skipped. Time before the restore never counts as connected.
    public func restoreState(_ state: [String: [UInt8]]) {
        var decoded = RestoredRuleState(
            subjects: state.keys.count { $0.hasPrefix("subject:") },
            devices: state.keys.count { $0.hasPrefix("device:") })
        for (key, bytes) in state { decoded.add(key: key, blob: bytes) }
        restore(decoded)
    }

    /// Replaces the engine's state with one decoded by ``RestoredRuleState`` (on another thread, while
    /// the gateway loads the rest).
    public func restore(_ decoded: RestoredRuleState) {
        subjects = decoded.subjects
        latestPool = decoded.latestPool
        devices = decoded.devices
        for key in subjects.keys {
            if let id = Self.device(ofSubject: key), let d = devices.index(forKey: id) {
                devices.values[d].mayHaveSubject = true
            }
        }
        clock = decoded.clock
        alertIndex = [:]
        pendingEscalations = []
        pendingBedWatches = []
        clock.lastConnected = false
        unboundLiveness = decoded.unboundLiveness
        var upgraded: [String] = []
        for key in decoded.subjectsWithAlertsOrBeds {
            guard var st = subjects[key] else { continue }
            for (rule, var rec) in st.alerts {
                alertIndex[rec.id] = AlertSlot(subject: key, rule: rule)
                if let at = rec.escalateAt {
                    // Saved before escalation chains: a pending hotline escalation becomes a one-step chain.
                    if rec.acknowledgedAt == nil, rec.escalated != true {
                        rec.escalation = EscalationProgress(
                            steps: [EscalationStep(after: at - rec.openedAt, notify: [EscalationStep.hotline])],
                            openedAt: rec.openedAt)
                    }
                    rec.escalateAt = nil
                    rec.escalated = nil
                    st.alerts[rule] = rec
                    subjects[key] = st
                    upgraded.append(key)
                }
                if rec.escalation != nil { pendingEscalations.insert(rec.id) }
            }
            if st.beds.values.contains(where: { !$0.raised }) { pendingBedWatches.insert(key) }
        }
        changedSubjects = []
        changedDevices = []
        forgetMarks()
        clockChanged = false
        // Marks of the state as read back (``RestoredRuleState/add(key:blob:)``); an upgraded chain is
        // saved when its subject next changes.
        saving = StateSaving()
        for key in upgraded {
            guard let i = subjects.index(forKey: key) else { continue }
            subjects.values[i].savedMark = Int32(truncatingIfNeeded: subjects.values[i].saveMark)
        }
    }

    func blob(forKey key: String) -> [UInt8]? {
        key == "engine" ? encode(clock) : StateKey(exportKey: key).flatMap(blob(for:))
    }

    func encode<T: Encodable>(_ value: T) -> [UInt8]? {
        (try? stateEncoder.encode(value)).map { [UInt8]($0) }
    }
}

/// Saved rule state read back and decoded, ready for ``RuleEngine/restore(_:)``: built row by row
/// from the database, on a thread of its own while the gateway loads its registry.
public struct RestoredRuleState: Sendable {
    var subjects: DenseStringMap<SubjectState> = [:]
    /// The subjects' latest values.
    var latestPool = LatestPool()
    var devices: DenseStringMap<DeviceLiveness> = [:]
    var clock = EngineClock()
    var unboundLiveness = 0
    /// Subjects holding an alert or a bed watch (a city has few), for the engine's indexes.
    var subjectsWithAlertsOrBeds: [String] = []
    /// Rows that could not be read (skipped).
    public private(set) var unreadable = 0

    /// - Parameters: the number of subject and device rows expected: the tables are made that size at
    ///   once (grown by doubling, a city's 155,000 subjects took room for 255,000, and for a moment
    ///   both).
    public init(subjects: Int = 0, devices: Int = 0) {
        self.subjects.reserveCapacity(subjects)
        self.devices.reserveCapacity(devices)
    }

    /// One saved row (`engine`, `subject:<subject>` or `device:<id>`); a later row of the same key
    /// replaces an earlier one.
    public mutating func add(key: String, blob: [UInt8]) {
        if key == "engine" {
            if let c = try? JSONDecoder().decode(EngineClock.self, from: Data(blob)) {
                clock = c
            } else {
                unreadable += 1
            }
        } else if key.hasPrefix("subject:") {
            guard var st = StateCodec.decodeSubject(blob, latestIn: latestPool) else {
                unreadable += 1
                return
            }
            let name = String(key.dropFirst("subject:".count))
            if !st.alerts.isEmpty || !st.beds.isEmpty { subjectsWithAlertsOrBeds.append(name) }
            st.saved = true
            st.savedMark = Int32(truncatingIfNeeded: RuleEngine.mark(of: st))
            subjects[name] = st
        } else if key.hasPrefix("device:") {
            guard var d = StateCodec.decodeDevice(blob, latestIn: latestPool) else {
                unreadable += 1
                return
            }
            d.saved = true
            d.savedMark = Int32(truncatingIfNeeded: RuleEngine.mark(of: d))
            let id = String(key.dropFirst("device:".count))
            if let old = devices.updateValue(d, forKey: id) {
                if old.residentID == nil { unboundLiveness -= 1 }
            }
            if d.residentID == nil { unboundLiveness += 1 }
        } else {
            unreadable += 1
        }
    }
}

extension RuleEngine {
    /// A subject's latest values, copied out of the pool (inspection, tests); empty for an unknown one.
    func latestValues(of key: String) -> LatestValues {
        var out = LatestValues()
        if let st = subjects[key] { for (kind, v) in latestPool.entries(st.latest) { out[kind] = v } }
        return out
    }

    /// Sets a subject's latest value of `kind` (tests); nothing for an unknown subject.
    func setLatest(_ value: TimedValue, _ kind: ReadingKind, of key: String) {
        guard let i = subjects.index(forKey: key) else { return }
        latestPool.set(value, kind, in: &subjects.values[i].latest)
    }
}
