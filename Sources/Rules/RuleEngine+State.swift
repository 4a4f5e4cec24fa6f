import AnxinCore
import Foundation

extension RuleEngine {
    /// Everything needed to resume: open alerts, runs, bed watches, device liveness and the
    /// connected-time clock. Keys are `engine`, `subject:<subject>` and `device:<id>`; blobs are opaque.
    public func exportState() -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        out["engine"] = encode(clock)
        for (key, st) in subjects { out["subject:" + key] = encode(st) }
        for (id, d) in devices { out["device:" + id] = encode(d) }
        return out
    }

    /// The state that changed since the last drain (or restore); a nil blob means the key is gone.
    public func drainChangedState() -> [(key: String, blob: [UInt8]?)] {
        let keys = changed.sorted()
        changed.removeAll(keepingCapacity: true)
        return keys.map { key in (key, blob(forKey: key)) }
    }

    /// Replaces the engine's state with an export (or the union of drained changes).
    /// Unreadable entries are skipped. Time before the restore never counts as connected.
    public func restoreState(_ state: [String: [UInt8]]) {
        subjects = [:]
        devices = [:]
        clock = EngineClock()
        alertIndex = [:]
        pendingEscalations = []
        pendingBedWatches = []
        let decoder = JSONDecoder()
        for (key, bytes) in state {
            let data = Data(bytes)
            if key == "engine" {
                if let c = try? decoder.decode(EngineClock.self, from: data) { clock = c }
            } else if key.hasPrefix("subject:") {
                if let st = try? decoder.decode(SubjectState.self, from: data) {
                    subjects[String(key.dropFirst("subject:".count))] = st
                }
            } else if key.hasPrefix("device:") {
                if let d = try? decoder.decode(DeviceLiveness.self, from: data) {
                    devices[String(key.dropFirst("device:".count))] = d
                }
            }
        }
        clock.lastConnected = false
        unboundLiveness = devices.values.reduce(0) { $0 + ($1.residentID == nil ? 1 : 0) }
        for (key, var st) in subjects {
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
                }
                if rec.escalation != nil { pendingEscalations.insert(rec.id) }
            }
            if st.beds.values.contains(where: { !$0.raised }) { pendingBedWatches.insert(key) }
        }
        changed = []
    }

    func blob(forKey key: String) -> [UInt8]? {
        if key == "engine" { return encode(clock) }
        if key.hasPrefix("subject:") { return subjects[String(key.dropFirst("subject:".count))].flatMap(encode) }
        if key.hasPrefix("device:") { return devices[String(key.dropFirst("device:".count))].flatMap(encode) }
        return nil
    }

    func encode<T: Encodable>(_ value: T) -> [UInt8]? {
        (try? stateEncoder.encode(value)).map { [UInt8]($0) }
    }
}
