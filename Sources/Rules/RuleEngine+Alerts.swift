import AnxinCore

extension RuleEngine {
    /// The subject an alert of `def` belongs to for an observation from `device`.
    func subjectKey(_ def: RuleDefinition, device: String, residentID: String?) -> String {
        switch def.scope {
        case .resident: residentID ?? "device:" + device
        case .device: "device:" + device
        case .gateway: Self.gatewaySubject
        }
    }

    /// Runs `body` on a subject's state, creating it when new, and marks it changed.
    @discardableResult
    func withSubject<T>(
        _ key: String, residentID: String?, mark: Bool = true, _ body: (inout SubjectState) -> T
    ) -> T {
        // In place: at most one lookup, no copy of the state (bodies never touch `subjects` themselves).
        if mark { markSubject(key) }
        let index: Int
        if let v = visited, v.key == key {
            index = v.index
        } else if let found = subjects.index(forKey: key) {
            index = found
        } else {
            subjects[key] = SubjectState(residentID: residentID)
            guard let added = subjects.index(forKey: key) else { preconditionFailure("subject just added") }
            index = added
            if let id = Self.device(ofSubject: key), let d = devices.index(forKey: id) {
                updateDevice(at: d) { $0.mayHaveSubject = true }
            }
        }
        // Writing the value in place runs `didSet`, which forgets `visited`: set after the write. A value
        // written in place keeps every position in the map valid (no key moves, nor on a copy).
        defer { visited = (key, index) }
        return body(&subjects.values[index])
    }

    /// A higher tier of the same subject is unresolved.
    func isSuppressed(_ def: RuleDefinition, in st: SubjectState) -> Bool {
        guard let higher = rules.suppressors[def.name] else { return false }
        return higher.contains { st.alerts.contains($0) }
    }

    /// A breach: opens the rule's alert, or updates the unresolved one.
    /// - Returns: false when a higher tier suppressed it (nothing emitted).
    @discardableResult
    func raise(
        _ def: RuleDefinition, in st: inout SubjectState, subject: String, residentID: String?, device: String,
        trigger: Trigger, occurredAt: EpochMillis, wallNow: EpochMillis, into decisions: inout [Decision]
    ) -> Bool {
        guard !isSuppressed(def, in: st) else { return false }
        if let rec = st.alerts[def.name] {
            decisions.append(
                Decision(
                    action: .update, alertID: rec.id, rule: def.name, severity: rec.severity, residentID: residentID,
                    device: device, trigger: trigger, occurredAt: occurredAt, toHotline: false))
            return true
        }
        let id = makeID()
        let rec = AlertRecord(
            id: id, rule: def.name, subject: subject, residentID: residentID, device: device, severity: def.severity,
            trigger: trigger, occurredAt: occurredAt, openedAt: wallNow, acknowledgedAt: nil,
            escalation: EscalationProgress(steps: rules.escalationChain(forRule: def.name), openedAt: wallNow))
        if rec.escalation != nil { pendingEscalations.insert(id) }
        st.alerts[def.name] = rec
        alertIndex[id] = AlertSlot(subject: subject, rule: def.name)
        decisions.append(
            Decision(
                action: .open, alertID: id, rule: def.name, severity: def.severity, residentID: residentID,
                device: device,
                trigger: trigger, occurredAt: occurredAt, toHotline: def.route == .hotline))
        return true
    }

    /// The condition cleared: resolves the rule's unresolved alert, if any.
    func clear(
        _ rule: String, in st: inout SubjectState, trigger: Trigger, occurredAt: EpochMillis,
        into decisions: inout [Decision]
    ) {
        guard let rec = st.alerts.removeValue(forKey: rule) else { return }
        alertIndex.removeValue(forKey: rec.id)
        pendingEscalations.remove(rec.id)
        decisions.append(
            Decision(
                action: .resolve, alertID: rec.id, rule: rule, severity: rec.severity, residentID: rec.residentID,
                device: rec.device, trigger: trigger, occurredAt: occurredAt, toHotline: false))
    }

    /// Extends or restarts a run with a qualifying reading at `t`.
    /// - Returns: true when the run now satisfies `duration` and has not been reported.
    func extendRun(_ progress: inout RuleProgress, at t: EpochMillis, duration: Int64) -> Bool {
        if var run = progress.run, t - run.last <= rules.maxGap {
            run.last = t
            progress.run = run
        } else {
            progress.run = BreachRun(first: t, last: t, reported: false)
        }
        let run = progress.run!
        return !run.reported && run.last - run.first >= duration
    }
}
