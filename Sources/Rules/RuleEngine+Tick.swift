import AnxinCore

extension RuleEngine {
    /// Runs the wall-clock timers: escalation steps and reminders, device silence and ingest outage,
    /// night bed exits.
    ///
    /// Call it regularly (about once a second) with the wall-clock time and whether the gateway is
    /// connected to the broker. Silence counts only time between two ticks that were both connected.
    /// Escalation runs first, so an alert opened by an observation or by this tick fires even an
    /// `after: 0s` step on a later tick, once the pipeline has had the chance to ``silence(alertID:)`` it.
    public func tick(now: EpochMillis, connected: Bool, into decisions: inout [Decision]) {
        if clock.lastConnected, connected, let last = clock.lastTick, now > last { clock.connected += now - last }
        clock.lastTick = max(clock.lastTick ?? now, now)
        clock.lastConnected = connected
        markClock()
        escalate(now: now, into: &decisions)
        settleOutage(now: now, into: &decisions)
        if connected { watchSilence(now: now, into: &decisions) }
        wakeBedWatches(now: now, into: &decisions)
    }

    /// Devices gone quiet: one device_silent each, or one ingest_outage when many go quiet together.
    func watchSilence(now: EpochMillis, into decisions: inout [Decision]) {
        guard let si = rules.silenceRule, case .silence(let after, let heardWithin) = rules.definitions[si].logic
        else { return }
        let silenceDef = rules.definitions[si]
        var outage: (def: RuleDefinition, share: Double, within: Int64, together: Int64, minDevices: Int)?
        if let oi = rules.outageRule,
            case .outage(let share, let within, let together, let minDevices) =
                rules.definitions[oi].logic
        {
            outage = (rules.definitions[oi], share, within, together, minDevices)
        }
        var crossing: [String] = []
        var near: [String] = []
        var forgotten: [String] = []
        var active = 0
        for (id, d) in devices {
            if let o = outage, now - d.lastHeard <= o.within { active += 1 }
            if now - d.lastHeard > heardWithin {
                let covered =
                    subjects["device:" + id]?.alerts[silenceDef.name] != nil || clock.outageMembers.contains(id)
                if !covered { forgotten.append(id) }
                continue
            }
            guard !d.silenceReported else { continue }
            let silent = clock.connected - d.heardAtConnected
            if silent >= after {
                crossing.append(id)
            } else if let o = outage, silent >= after - o.together {
                near.append(id)
            }
        }
        for id in forgotten {
            if var gone = devices.removeValue(forKey: id) {
                latestPool.release(&gone.latest)
                if gone.residentID == nil { unboundLiveness -= 1 }
                saving.dropped(.device(id), wasSaved: gone.saved)
            }
            markDevice(id)
        }
        guard !crossing.isEmpty else { return }
        if let o = outage {
            let group = (crossing + near).sorted()
            let open = subjects[Self.gatewaySubject]?.alerts[o.def.name] != nil
            if open || (group.count >= o.minDevices && Double(group.count) > o.share * Double(active)) {
                for id in group {
                    devices[id]?.silenceReported = true
                    markDevice(id)
                    clock.outageMembers.insert(id)
                }
                let count = clock.outageMembers.count
                withSubject(Self.gatewaySubject, residentID: nil) { st in
                    raise(
                        o.def, in: &st, subject: Self.gatewaySubject, residentID: nil, device: Self.gatewayDevice,
                        trigger: .outage(devices: count), occurredAt: now, wallNow: now, into: &decisions)
                }
                return
            }
        }
        for id in crossing.sorted() {
            guard let d = devices[id] else { continue }
            devices[id]?.silenceReported = true
            markDevice(id)
            let minutes = Int((clock.connected - d.heardAtConnected) / 60_000)
            let key = "device:" + id
            withSubject(key, residentID: d.residentID) { st in
                raise(
                    silenceDef, in: &st, subject: key, residentID: d.residentID, device: id,
                    trigger: .silence(minutes: minutes), occurredAt: now, wallNow: now, into: &decisions)
            }
        }
    }

    /// Resolves the outage once few of its devices are still silent; those left are judged one by one again.
    func settleOutage(now: EpochMillis, into decisions: inout [Decision]) {
        guard let oi = rules.outageRule,
            case .outage(let share, let within, _, let minDevices) = rules.definitions[oi].logic,
            subjects[Self.gatewaySubject]?.alerts[rules.definitions[oi].name] != nil
        else {
            // Staff resolved it (or the rule is gone): its devices stay covered until they are heard.
            if !clock.outageMembers.isEmpty { clock.outageMembers = [] }
            return
        }
        let silent = clock.outageMembers.filter { devices[$0]?.silenceReported == true }
        let active = devices.values.reduce(0) { $0 + (now - $1.lastHeard <= within ? 1 : 0) }
        guard silent.count < minDevices || Double(silent.count) <= share * Double(active) else { return }
        for id in silent {
            devices[id]?.silenceReported = false
            markDevice(id)
        }
        clock.outageMembers = []
        let name = rules.definitions[oi].name
        withSubject(Self.gatewaySubject, residentID: nil) { st in
            clear(name, in: &st, trigger: .outage(devices: silent.count), occurredAt: now, into: &decisions)
        }
    }

    /// Night exits whose grace ran out without a return to bed.
    func wakeBedWatches(now: EpochMillis, into decisions: inout [Decision]) {
        for key in pendingBedWatches.sorted() {
            guard subjects[key] != nil else {
                pendingBedWatches.remove(key)
                continue
            }
            let stillWaiting = withSubject(key, residentID: nil) { st -> Bool in
                var waiting = false
                for (name, watch) in st.beds.sorted(by: { $0.key < $1.key }) where !watch.raised {
                    guard let def = rules.rule(named: name), case .bedExit(_, _, let grace) = def.logic else {
                        st.beds[name] = nil
                        continue
                    }
                    guard now >= watch.outSince + grace else {
                        waiting = true
                        continue
                    }
                    st.beds[name]?.raised = true
                    raise(
                        def, in: &st, subject: key, residentID: st.residentID, device: watch.device,
                        trigger: watch.byEvent ? .event(.bedExit) : .reading(.inBed, 0), occurredAt: watch.outSince,
                        wallNow: now, into: &decisions)
                }
                return waiting
            }
            if !stillWaiting { pendingBedWatches.remove(key) }
        }
    }
}
