import AnxinCore
import Delivery
import Store

extension Pipeline {
    /// A staff action carried into the pipeline thread, which owns rule state and the write connection.
    public enum StaffCommand: Sendable {
        case acknowledge(alertID: String, by: String, note: String?)
        case resolve(alertID: String, by: String, note: String?)
        /// Resolve as a false alarm (an SOS pressed by accident); the hotline is told "cancelled".
        case cancel(alertID: String, by: String, note: String?)
        case addSilence(SilenceRecord)
        case liftSilence(id: Int64, by: String)
    }

    public enum StaffCommandResult: Sendable {
        case ok(AlertRecord)
        case silence(SilenceRecord)
        case notFound
        case alreadyResolved
        /// Not allowed, with the reason staff see.
        case refused(String)
        case failed(String)
    }

    func execute(_ cmd: StaffCommand) -> StaffCommandResult {
        let now = clock.now()
        commit(now: now)
        do {
            switch cmd {
            case .acknowledge(let id, let by, let note):
                return try act(id, by: by, note: note, now: now, status: .acknowledged)
            case .resolve(let id, let by, let note):
                return try act(id, by: by, note: note, now: now, status: .resolved)
            case .cancel(let id, let by, let note):
                return try act(id, by: by, note: note, now: now, status: .cancelled)
            case .addSilence(let s):
                if s.scope == .rule, !runtime.rules.canSilence(rule: s.target) {
                    return .refused("an SOS or a fall is never silenced")
                }
                let saved = try store.addSilence(s)
                silences.add(saved)
                return .silence(saved)
            case .liftSilence(let id, let by):
                guard let s = try store.liftSilence(id: id, by: by, at: now) else { return .notFound }
                silences.lift(id: id)
                return .silence(s)
            }
        } catch {
            return .failed("\(error)")
        }
    }

    /// Acknowledge, resolve or cancel: the alert, the rule state and, when the alert became a
    /// hotline incident, the follow-up to the hotline, in one durable commit.
    private func act(
        _ id: String, by: String, note: String?, now: EpochMillis, status: HotlineUpdate.Status
    ) throws -> StaffCommandResult {
        guard let current = try store.alert(id: id) else { return .notFound }
        if current.state == .resolved { return .alreadyResolved }
        let changes = status != .acknowledged || current.state == .open
        var result: AlertRecord?
        var queued = false
        try store.inTransaction(durable: current.incidentID != nil) {
            if status == .acknowledged {
                _ = engine.acknowledge(alertID: id, at: now)
                result = try store.acknowledgeAlert(id: id, by: by, note: note, at: now)
            } else {
                _ = engine.resolve(alertID: id, at: now)
                result = try store.resolveAlert(id: id, by: by, note: note, at: now, cancelled: status == .cancelled)
            }
            if changes, let incident = current.incidentID {
                let update = HotlineUpdate(
                    incidentID: incident, gatewayID: config.gatewayID, status: status, by: by, note: note, at: now,
                    utcOffsetSeconds: config.utcOffsetSeconds)
                queued = try store.enqueue(
                    update.outboxItem(alertID: id, priority: Int(current.severity.rawValue), createdAt: now))
                if queued {
                    try store.addHistory(
                        alertID: id, at: now, action: .followup, by: by, note: status.rawValue, detail: "12349")
                }
            }
            for (key, blob) in drainRuleState() { try store.saveRuleState(key: key, blob: blob) }
        }
        guard let result else { return .notFound }
        if queued { onIncidentQueued() }
        onAlertsChanged([id])
        return .ok(result)
    }
}
