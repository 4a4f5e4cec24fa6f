import AnxinCore

extension RuleEngine {
    /// Judges one reading or event from a device.
    ///
    /// Durations use the observation's measured time; an observation older than the last one a rule
    /// judged for the same subject is not judged again by that rule. The receive time marks the device
    /// as heard (silence) and starts escalation timers of what it opens.
    ///
    /// A device bound to no resident is judged (an SOS from it still opens an alert) and its state is
    /// dropped once nothing is in progress; its liveness is watched (silence, outage) for at most
    /// ``RuleEngine/maxUnboundLiveness`` such devices at a time. So devices that send under ever new
    /// ids (misconfigured or spoofed) cannot grow the engine's state without bound.
    public func observe(_ observation: Observation, context: SubjectContext, into decisions: inout [Decision]) {
        let unbound = context.residentID == nil
        switch observation {
        case .reading(let r):
            if !unbound || devices[r.device] != nil || unboundLiveness < Self.maxUnboundLiveness {
                noteHeard(
                    r.device, at: r.receivedAt, residentID: context.residentID, trigger: Self.trigger(of: r),
                    measuredAt: r.measuredAt, into: &decisions)
            }
            judge(reading: r, context, &decisions)
            if unbound { forgetIfIdle("device:" + r.device) }
        case .event(let e):
            if !unbound || devices[e.device] != nil || unboundLiveness < Self.maxUnboundLiveness {
                noteHeard(
                    e.device, at: e.receivedAt, residentID: context.residentID, trigger: .event(e.kind),
                    measuredAt: e.measuredAt, into: &decisions)
            }
            judge(event: e, context, &decisions)
            if unbound { forgetIfIdle("device:" + e.device) }
        }
    }

    /// Judges the observations of one message from one device (`context` is its binding), in order: the
    /// same as ``observe(_:context:into:)`` for each in turn.
    ///
    /// The readings after the first of a resident's vital signs (a wristband's batch upload carries a
    /// dozen) are judged in one visit of the resident's state: the device is already heard at this
    /// moment, no alert that data clears is open, and every rule of their kinds is the resident's, so
    /// judging each alone would look up the same subject again and again for nothing.
    public func observe(
        _ observations: ArraySlice<Observation>, context: SubjectContext, into decisions: inout [Decision]
    ) {
        var i = observations.startIndex
        while i < observations.endIndex {
            observe(observations[i], context: context, into: &decisions)
            i = judgeResidentRun(observations, from: i + 1, context, &decisions)
        }
    }

    /// Judges the readings from `start` on that ``observe(_:context:into:)`` would judge on the resident's
    /// state alone, with nothing else to do (see the message variant of ``observe(_:context:into:)``), in one visit;
    /// returns where the next observation to judge in full is.
    func judgeResidentRun(
        _ observations: ArraySlice<Observation>, from start: Int, _ ctx: SubjectContext, _ decisions: inout [Decision]
    ) -> Int {
        guard start < observations.endIndex, let key = ctx.residentID, let heard = heardNow,
            heard.residentID == key
        else { return start }
        let rules = self.rules
        // The readings ``noteHeard`` would find heard already (the same device, moment and binding) and
        // only the resident's rules judge.
        var end = start
        var judged = false
        while end < observations.endIndex, case .reading(let r) = observations[end],
            rules.residentOnlyKinds & (1 << UInt32(r.kind.rawValue)) != 0, r.value.number != nil,
            r.receivedAt == heard.received, r.device == heard.device
        {
            if !rules.thresholdRulesByKind[Int(r.kind.rawValue)].isEmpty { judged = true }
            end += 1
        }
        guard end > start, heard.connected == connectedTime(at: heard.received) else { return start }
        // ``clearEventRules`` would clear nothing (threshold rules never open such an alert).
        guard subjectsWithSelfClearingAlerts().isEmpty else { return start }
        // Readings no rule judges change nothing then (not even the latest values).
        guard judged else { return end }
        let before = decisions.count
        progressMatters = false
        var waiting = false
        withSubject(key, residentID: key, mark: false) { st in
            if st.residentID != key {
                st.residentID = key
                progressMatters = true
            }
            waiting = st.waiting
            for o in observations[start..<end] {
                guard case .reading(let r) = o, let value = r.value.number else { continue }
                let list = rules.thresholdRulesByKind[Int(r.kind.rawValue)]
                if list.isEmpty { continue }
                let previousAt = noteLatest(r, value, in: &st.latest)
                for i in list {
                    judgeThreshold(rules.definitions[i], r, value, previousAt, ctx, key, &st, &decisions)
                }
            }
        }
        if !waiting || progressMatters || decisions.count != before { markSubject(key) }
        return end
    }

    /// Drops an unbound device's subject when it holds no alert, bed watch or run in progress.
    func forgetIfIdle(_ key: String) {
        guard let st = subjects[key], st.alerts.isEmpty, st.beds.isEmpty,
            st.progress.values.allSatisfy({ $0.run == nil && $0.backfill == nil })
        else { return }
        dropSubject(key)
        markSubject(key)
    }

    static func trigger(of r: Reading) -> Trigger {
        switch r.value {
        case .number(let v): .reading(r.kind, v)
        case .bool(let b): .reading(r.kind, b ? 1 : 0)
        case .location(let l): .location(lat: l.lat, lon: l.lon)
        }
    }

    /// Connected time at `received`: what the clock counted to its last tick, and the time since if the
    /// broker was connected then.
    @inline(__always)
    func connectedTime(at received: EpochMillis) -> Int64 {
        guard clock.lastConnected, let last = clock.lastTick, received > last else { return clock.connected }
        return clock.connected + (received - last)
    }

    /// The device is alive: its silence ends and a silence alert resolves.
    func noteHeard(
        _ device: String, at received: EpochMillis, residentID: String?, trigger: Trigger, measuredAt: EpochMillis,
        into decisions: inout [Decision]
    ) {
        let connectedNow = connectedTime(at: received)
        // The observations of a message all come here, one after the other: the first looks the device
        // up, the rest find it heard at this moment already (nothing changed `devices` since).
        if let h = heardNow, h.received == received, h.connected == connectedNow, h.device == device,
            h.residentID == residentID
        {
            return
        }
        let slot = devices.index(forKey: device)
        var d: DeviceLiveness
        // Whether this changes what is saved at once (``mark(of:)``), not only progress.
        var matters = true
        if let slot {
            d = devices.values[slot]
            if !d.silenceReported, d.lastHeard >= received, d.heardAtConnected >= connectedNow,
                d.residentID == residentID
            {
                // Heard already at this moment (another observation of the same message): no change.
                heardNow = HeardNow(
                    device: device, index: slot, received: received, connected: connectedNow, residentID: residentID)
                return
            }
            matters = d.silenceReported || d.residentID != residentID
        } else {
            if residentID == nil { unboundLiveness += 1 }
            d = DeviceLiveness(
                lastHeard: received, heardAtConnected: connectedNow, residentID: residentID, silenceReported: false)
            // A subject made while the device was not watched (or before it was forgotten).
            d.mayHaveSubject = subjects.index(forKey: "device:" + device) != nil
        }
        d.lastHeard = max(d.lastHeard, received)
        d.heardAtConnected = max(d.heardAtConnected, connectedNow)
        d.residentID = residentID
        if d.silenceReported {
            d.silenceReported = false
            if clock.outageMembers.remove(device) != nil { markClock() }
            if let i = rules.silenceRule {
                let name = rules.definitions[i].name
                let key = "device:" + device
                if subjects[key]?.alerts[name] != nil {
                    withSubject(key, residentID: residentID) { st in
                        clear(name, in: &st, trigger: trigger, occurredAt: measuredAt, into: &decisions)
                    }
                }
            }
        }
        if let slot { devices.values[slot] = d } else { devices[device] = d }
        // A new device is added last.
        heardNow = HeardNow(
            device: device, index: slot ?? devices.count - 1, received: received, connected: connectedNow,
            residentID: residentID)
        // Heard again while its progress waits to be saved: the save to come carries this too.
        if matters || !d.waiting { markDevice(device) }
    }

    func judge(reading r: Reading, _ ctx: SubjectContext, _ decisions: inout [Decision]) {
        clearEventRules(
            device: r.device, ctx, vitalSign: r.kind.isVitalSign, except: nil, trigger: Self.trigger(of: r),
            at: r.measuredAt, &decisions)
        if case .location(let loc) = r.value {
            for i in rules.geofenceRules { judgeGeofence(rules.definitions[i], r, loc, ctx, &decisions) }
            return
        }
        guard let value = r.value.number else { return }
        // A local copy of the rules (one retain): their definitions are then read in place, not copied
        // for every rule judged, since judging cannot replace them meanwhile.
        let rules = self.rules
        // Rules of the same subject (all resident-scoped ones) are judged in one visit of its state.
        let list = rules.thresholdRulesByKind[Int(r.kind.rawValue)]
        let deviceKind = rules.deviceScopedThresholdKinds & (1 << UInt32(r.kind.rawValue)) != 0
        var i = 0
        while i < list.count {
            if deviceKind, rules.definitions[list[i]].scope == .device, let device = livenessIndex(of: r.device) {
                i = judgeDeviceRules(rules, list, from: i, r, value, ctx, device: device, &decisions)
                continue
            }
            let key = subjectKey(rules.definitions[list[i]], device: r.device, residentID: ctx.residentID)
            let before = decisions.count
            progressMatters = false
            // Marked unless the visit changed progress only and the subject's progress already waits to
            // be saved (a resident's normal vital signs, several times a second).
            var waiting = false
            withSubject(key, residentID: ctx.residentID, mark: false) { st in
                if st.residentID != ctx.residentID {
                    st.residentID = ctx.residentID
                    progressMatters = true
                }
                waiting = st.waiting
                let previousAt = noteLatest(r, value, in: &st.latest)
                repeat {
                    judgeThreshold(rules.definitions[list[i]], r, value, previousAt, ctx, key, &st, &decisions)
                    i += 1
                } while i < list.count
                    && (rules.definitions[list[i]].scope == rules.definitions[list[i - 1]].scope
                        || subjectKey(rules.definitions[list[i]], device: r.device, residentID: ctx.residentID) == key)
            }
            if !waiting || progressMatters || decisions.count != before { markSubject(key) }
        }
        if r.kind == .inBed {
            for i in rules.bedExitRules {
                watchBed(
                    rules.definitions[i], outOfBed: value == 0, device: r.device, at: r.measuredAt, byEvent: false,
                    ctx, &decisions)
            }
        }
    }

    /// Notes a sample as the latest of its kind in `latest`, unless a newer one is noted already (an older
    /// sample does not replace it); returns the time of the newest sample of its kind before it.
    @inline(__always)
    func noteLatest(_ r: Reading, _ value: Double, in latest: inout LatestRef) -> EpochMillis {
        let previousAt = latestPool.value(latest, r.kind)?.at ?? .min
        if previousAt <= r.measuredAt {
            latestPool.set(LatestValue(value: value, at: r.measuredAt), r.kind, in: &latest)
        }
        return previousAt
    }

    /// Where `device` is in `devices`: found by ``noteHeard`` for this very observation as a rule, so not
    /// looked up again.
    @inline(__always)
    func livenessIndex(of device: String) -> Int? {
        if let h = heardNow, h.device == device { return h.index }
        return devices.index(forKey: device)
    }

    /// Judges the device-scoped rules of `list` from `start` on (a device's own rules, such as low
    /// battery) for a device whose liveness the engine watches; returns where the next subject's rules
    /// start.
    ///
    /// The device's latest values live in its liveness, and its subject (`key`) is kept only while judging
    /// leaves something in it (a run, an alert, a bed watch): a city's 55,000 battery-reporting devices
    /// would otherwise each keep a subject, its key and its state for their battery alone (8 MB). Latest
    /// values a subject saved before this are moved to the device when it is next judged.
    func judgeDeviceRules(
        _ rules: RuleSet, _ list: [Int], from start: Int, _ r: Reading, _ value: Double, _ ctx: SubjectContext,
        device: Int, _ decisions: inout [Decision]
    ) -> Int {
        var end = start + 1
        while end < list.count && rules.definitions[list[end]].scope == .device { end += 1 }
        // The subject's key is made and looked up only for a device that may have one.
        var key = ""
        var subject: Int?
        if devices.values[device].mayHaveSubject {
            key = "device:" + r.device
            subject = subjects.index(forKey: key)
            if subject == nil { updateDevice(at: device) { $0.mayHaveSubject = false } }
        }
        var latest = devices.values[device].latest
        if let s = subject, !subjects.values[s].latest.isEmpty {
            // Saved with the subject before devices kept them.
            var moved = subjects.values[s].latest
            subjects.values[s].latest = LatestRef()
            if latest.isEmpty { latest = moved } else { latestPool.release(&moved) }
        }
        let previousAt = noteLatest(r, value, in: &latest)
        defer {
            // Its block moves only when it gains a kind.
            if latest != devices.values[device].latest { updateDevice(at: device) { $0.latest = latest } }
            // A change of latest values is progress: saved with the device's next save.
            if !devices.values[device].waiting { markDevice(r.device) }
        }
        if subject == nil {
            // Almost always: no subject, and no rule could fire. Judging would then change nothing but
            // the latest value.
            var any = false
            for j in start..<end where mayFire(rules.definitions[list[j]], r, value, latest: latest, ctx) {
                any = true
                break
            }
            guard any else { return end }
            key = "device:" + r.device
        }
        let before = decisions.count
        progressMatters = false
        var waiting = false
        var idle = false
        func visit(_ st: inout SubjectState) {
            if st.residentID != ctx.residentID {
                st.residentID = ctx.residentID
                progressMatters = true
            }
            waiting = st.waiting
            st.latest = latest
            for i in start..<end {
                judgeThreshold(rules.definitions[list[i]], r, value, previousAt, ctx, key, &st, &decisions)
            }
            st.latest = LatestRef()
            idle = st.alerts.isEmpty && st.beds.isEmpty && st.progress.isEmpty
        }
        if subject != nil {
            withSubject(key, residentID: ctx.residentID, mark: false) { st in visit(&st) }
            if idle {
                // Nothing left in it (its alert cleared, its run over): gone, and its saved row deleted.
                dropSubject(key)
                updateDevice(at: device) { $0.mayHaveSubject = false }
                markSubject(key)
            } else if !waiting || progressMatters || decisions.count != before {
                markSubject(key)
            }
        } else {
            var st = SubjectState(residentID: ctx.residentID)
            visit(&st)
            if !idle {
                subjects[key] = st
                updateDevice(at: device) { $0.mayHaveSubject = true }
                markSubject(key)
            }
        }
        return end
    }

    /// Changes the device at `index` in place: no key moves, so the device ``noteHeard`` found for this
    /// observation stays known (a change of `devices` would otherwise forget it).
    func updateDevice(at index: Int, _ change: (inout DeviceLiveness) -> Void) {
        let heard = heardNow
        change(&devices.values[index])
        heardNow = heard
    }

    /// The device id of a device's subject key (`device:<id>`), or nil for another subject.
    static func device(ofSubject key: String) -> String? {
        key.hasPrefix("device:") ? String(key.dropFirst("device:".count)) : nil
    }

    func judge(event e: DeviceEvent, _ ctx: SubjectContext, _ decisions: inout [Decision]) {
        clearEventRules(
            device: e.device, ctx, vitalSign: false, except: e.kind, trigger: .event(e.kind),
            at: e.measuredAt, &decisions)
        for i in rules.rulesByEvent[Int(e.kind.rawValue)] {
            let def = rules.definitions[i]
            let key = subjectKey(def, device: e.device, residentID: ctx.residentID)
            withSubject(key, residentID: ctx.residentID) { st in
                st.residentID = ctx.residentID
                raise(
                    def, in: &st, subject: key, residentID: ctx.residentID, device: e.device, trigger: .event(e.kind),
                    occurredAt: e.measuredAt, wallNow: e.receivedAt, into: &decisions)
            }
        }
        if e.kind == .bedExit {
            for i in rules.bedExitRules {
                watchBed(
                    rules.definitions[i], outOfBed: true, device: e.device, at: e.measuredAt, byEvent: true,
                    ctx, &decisions)
            }
        }
    }

    /// Event rules cleared by data (power_off) or by a vital sign (not_worn).
    func clearEventRules(
        device: String, _ ctx: SubjectContext, vitalSign: Bool, except event: EventKind?, trigger: Trigger,
        at t: EpochMillis, _ decisions: inout [Decision]
    ) {
        // Almost always nothing to clear: one look at the few subjects that hold such an alert (a count
        // while nothing changed, without taking the set itself).
        if selfClearingOpen.version == alertsVersion && selfClearingOpen.keys.isEmpty { return }
        let open = subjectsWithSelfClearingAlerts()
        guard !open.isEmpty else { return }
        for i in rules.selfClearingEventRules {
            let def = rules.definitions[i]
            guard case .event(let events, let clearedBy) = def.logic else { continue }
            if clearedBy == .vitalSign && !vitalSign { continue }
            if let event, events.contains(event) { continue }
            let key = subjectKey(def, device: device, residentID: ctx.residentID)
            guard open.contains(key), let rec = subjects[key]?.alerts[def.name], t > rec.occurredAt else { continue }
            withSubject(key, residentID: ctx.residentID) { st in
                clear(def.name, in: &st, trigger: trigger, occurredAt: t, into: &decisions)
            }
        }
    }

    /// Subject keys that hold an unresolved alert of a rule cleared by data or a vital sign.
    func subjectsWithSelfClearingAlerts() -> Set<String> {
        if selfClearingOpen.version == alertsVersion { return selfClearingOpen.keys }
        var keys: Set<String> = []
        if !rules.selfClearingEventRules.isEmpty {
            let names = Set(rules.selfClearingEventRules.map { rules.definitions[$0].name })
            for slot in alertIndex.values where names.contains(slot.rule) { keys.insert(slot.subject) }
        }
        selfClearingOpen = (alertsVersion, keys)
        return keys
    }

    /// Whether `def` could fire on this reading: this value or a fresh latest value of one of its
    /// measures (`latest`, with the reading already noted) is past a fire limit. When not, and the rule
    /// holds no run or alert for the subject, judging it changes nothing.
    @inline(__always)
    func mayFire(_ def: RuleDefinition, _ r: Reading, _ value: Double, latest: LatestRef, _ ctx: SubjectContext)
        -> Bool
    {
        guard case .threshold(let measures, _) = def.logic else { return false }
        let t = r.measuredAt
        for j in measures.indices {
            let limit = measures[j].fireLimit(ctx.thresholds)
            if measures[j].kind == r.kind && limit.holds(value) { return true }
            if let latest = latestPool.value(latest, measures[j].kind), abs(t - latest.at) <= rules.maxGap,
                limit.holds(latest.value)
            {
                return true
            }
        }
        return false
    }

    /// One threshold rule on the state of its subject `key` (``judge(reading:_:_:)`` visits it, and has
    /// already noted the reading in `st.latest`; `previousAt` is the time of the newest sample of its
    /// kind before it).
    ///
    /// The newest time the rule judged is not kept: it is the newest latest value of its measures, since
    /// every sample of a measure's kind is judged by all the rules that have it. So a subject keeps a
    /// rule's progress only while a run (or a backfill run) is in progress: a city's residents with
    /// normal vital signs cost no progress at all, in memory or in the saved state.
    func judgeThreshold(
        _ def: RuleDefinition, _ r: Reading, _ value: Double, _ previousAt: EpochMillis, _ ctx: SubjectContext,
        _ key: String, _ st: inout SubjectState, _ decisions: inout [Decision]
    ) {
        guard case .threshold(let measures, _) = def.logic else { return }
        let t = r.measuredAt
        // Most readings: the rule holds no run and no alert for the subject, and neither this value
        // nor any fresh latest value of its measures is past a fire limit. Every path below then
        // leaves everything as it is (a late sample starts no backfill run, a live one no run, and
        // there is nothing to clear), so it is not taken.
        // (``mayFire(_:_:_:latest:_:)`` written out: it would take the measures out of the rule's logic a
        // second time, which costs imede-batch 300 ns.)
        if !st.progress.contains(def.name) && !st.alerts.contains(def.name) {
            var fires = false
            for j in measures.indices {
                let limit = measures[j].fireLimit(ctx.thresholds)
                if measures[j].kind == r.kind && limit.holds(value) {
                    fires = true
                    break
                }
                if let latest = latestPool.value(st.latest, measures[j].kind), abs(t - latest.at) <= rules.maxGap,
                    limit.holds(latest.value)
                {
                    fires = true
                    break
                }
            }
            if !fires { return }
        }
        var judgedUpTo = EpochMillis.min
        // Measures are visited by index: an element is read in place, not copied with its strings.
        for j in measures.indices {
            let kind = measures[j].kind
            let at = kind == r.kind ? previousAt : (latestPool.value(st.latest, kind)?.at ?? .min)
            if at > judgedUpTo { judgedUpTo = at }
        }
        let held = st.progress.isEmpty ? nil : st.progress[def.name]
        var progress = held ?? RuleProgress()
        defer {
            if progress.run != nil || progress.backfill != nil {
                st.progress[def.name] = progress
            } else if held != nil {
                st.progress[def.name] = nil
            }
            // A run started, ended or reported is saved at once; a run extended is progress.
            if held?.run?.first != progress.run?.first || held?.run?.reported != progress.run?.reported
                || held?.backfill?.first != progress.backfill?.first
                || held?.backfill?.reported != progress.backfill?.reported
            {
                progressMatters = true
            }
        }
        do {
            guard t >= judgedUpTo else {
                // A late sample (a buffered upload after a live reading) never clears an alert, but it
                // can fire one: an instant rule at once, a rule with a duration once the late samples
                // themselves span it. A crisis or a sustained breach in a backlog must not be lost.
                guard let m = measures.first(where: { $0.kind == r.kind }), m.fireLimit(ctx.thresholds).holds(value)
                else {
                    progress.backfill = nil
                    return
                }
                if var run = progress.backfill, t >= run.last, t - run.last <= rules.maxGap {
                    run.last = t
                    progress.backfill = run
                } else {
                    progress.backfill = BreachRun(first: t, last: t, reported: false)
                }
                guard let run = progress.backfill, !run.reported, run.last - run.first >= def.duration else { return }
                let raised = raise(
                    def, in: &st, subject: key, residentID: ctx.residentID, device: r.device,
                    trigger: .reading(r.kind, value), occurredAt: t, wallNow: r.receivedAt, into: &decisions)
                if raised { progress.backfill?.reported = true }
                return
            }

            // Any fresh measure past its fire limit fires; all fresh measures past their clear limits clear.
            var firing: (kind: ReadingKind, value: Double)?
            var cleared = true
            for j in measures.indices {
                let kind = measures[j].kind
                guard let latest = latestPool.value(st.latest, kind), abs(t - latest.at) <= rules.maxGap else {
                    continue
                }
                if measures[j].fireLimit(ctx.thresholds).holds(latest.value), firing == nil || kind == r.kind {
                    firing = (kind, latest.value)
                }
                if !measures[j].clear.holds(latest.value) { cleared = false }
            }
            if let firing {
                guard extendRun(&progress, at: t, duration: def.duration) else { return }
                let raised = raise(
                    def, in: &st, subject: key, residentID: ctx.residentID, device: r.device,
                    trigger: .reading(firing.kind, firing.value), occurredAt: t, wallNow: r.receivedAt, into: &decisions
                )
                if raised { progress.run?.reported = true }
            } else {
                progress.run = nil
                if cleared {
                    clear(def.name, in: &st, trigger: .reading(r.kind, value), occurredAt: t, into: &decisions)
                }
            }
        }
    }

    func judgeGeofence(
        _ def: RuleDefinition, _ r: Reading, _ loc: Location, _ ctx: SubjectContext, _ decisions: inout [Decision]
    ) {
        guard let zone = ctx.homeZone else { return }
        let t = r.measuredAt
        let key = subjectKey(def, device: r.device, residentID: ctx.residentID)
        let outside = Geo.distanceMeters(lat1: zone.lat, lon1: zone.lon, lat2: loc.lat, lon2: loc.lon) > zone.radiusM
        let trigger = Trigger.location(lat: loc.lat, lon: loc.lon)
        withSubject(key, residentID: ctx.residentID) { st in
            var progress = st.progress[def.name] ?? RuleProgress()
            guard t >= progress.lastJudged else { return }
            progress.lastJudged = t
            defer { st.progress[def.name] = progress }
            if outside {
                guard extendRun(&progress, at: t, duration: def.duration) else { return }
                let raised = raise(
                    def, in: &st, subject: key, residentID: ctx.residentID, device: r.device,
                    trigger: trigger, occurredAt: t, wallNow: r.receivedAt, into: &decisions)
                if raised { progress.run?.reported = true }
            } else {
                progress.run = nil
                clear(def.name, in: &st, trigger: trigger, occurredAt: t, into: &decisions)
            }
        }
    }

    /// Out of bed in the night window starts a watch; back in bed ends it and resolves its alert.
    func watchBed(
        _ def: RuleDefinition, outOfBed: Bool, device: String, at t: EpochMillis, byEvent: Bool,
        _ ctx: SubjectContext, _ decisions: inout [Decision]
    ) {
        guard case .bedExit(let from, let to, _) = def.logic else { return }
        let key = subjectKey(def, device: device, residentID: ctx.residentID)
        if outOfBed {
            guard subjects[key]?.beds[def.name] == nil, isNight(t, from: from, to: to) else { return }
            withSubject(key, residentID: ctx.residentID) { st in
                st.beds[def.name] = BedWatch(outSince: t, device: device, byEvent: byEvent, raised: false)
            }
            pendingBedWatches.insert(key)
        } else {
            guard let watch = subjects[key]?.beds[def.name], t >= watch.outSince else { return }
            withSubject(key, residentID: ctx.residentID) { st in
                st.beds[def.name] = nil
                clear(def.name, in: &st, trigger: .reading(.inBed, 1), occurredAt: t, into: &decisions)
            }
        }
    }

    /// Whether `t` falls in the local night window [from, to) (minutes of the day, may wrap midnight).
    func isNight(_ t: EpochMillis, from: Int, to: Int) -> Bool {
        let day: Int64 = 86_400_000
        let local = ((t + utcOffsetMillis) % day + day) % day
        let minute = Int(local / 60_000)
        return from < to ? (minute >= from && minute < to) : (minute >= from || minute < to)
    }
}
