import AnxinCore

extension RuleEngine {
    /// Fires the escalation steps and reminders that are due, earliest first.
    func escalate(now: EpochMillis, into decisions: inout [Decision]) {
        guard !pendingEscalations.isEmpty else { return }
        var due: [(at: EpochMillis, slot: AlertSlot)] = []
        for id in pendingEscalations {
            guard let slot = alertIndex[id], let progress = subjects[slot.subject]?.alerts[slot.rule]?.escalation,
                let at = progress.dueAt
            else {
                pendingEscalations.remove(id)
                continue
            }
            if now >= at { due.append((at, slot)) }
        }
        for (_, slot) in due.sorted(by: {
            ($0.at, $0.slot.subject, $0.slot.rule) < ($1.at, $1.slot.subject, $1.slot.rule)
        }) {
            guard var rec = subjects[slot.subject]?.alerts[slot.rule], var progress = rec.escalation else { continue }
            for firing in progress.advance(now: now, openedAt: rec.openedAt) {
                let step = progress.steps[firing.step]
                let targets = firing.reminder == 0 ? step.notify : step.reminderTargets
                guard !targets.isEmpty else { continue }
                decisions.append(
                    Decision(
                        action: .escalate, alertID: rec.id, rule: rec.rule, severity: rec.severity,
                        residentID: rec.residentID, device: rec.device, trigger: rec.trigger,
                        occurredAt: rec.occurredAt, toHotline: targets.contains(EscalationStep.hotline),
                        step: firing.step, targets: targets, reminder: firing.reminder))
            }
            rec.escalation = progress.dueAt == nil ? nil : progress
            if rec.escalation == nil { pendingEscalations.remove(rec.id) }
            subjects[slot.subject]?.alerts[slot.rule] = rec
            markSubject(slot.subject)
        }
    }
}
