import AnxinCore

extension RuleEngine {
    /// The system clock was stepped by `delta` milliseconds (positive: forward), as seen against a
    /// monotonic clock. Wall-clock timers keep the time they had left: escalation steps and reminders,
    /// each device's last-heard time and the connected-time clock move with the clock, so a step forward
    /// does not make every device look silent or fire every escalation at once, and a step back does not
    /// hold them back by the size of the step. Measured times (the devices' own clocks) are not touched.
    public func clockJumped(by delta: Int64) {
        guard delta != 0 else { return }
        if let last = clock.lastTick {
            clock.lastTick = last + delta
            markClock()
        }
        for (id, var d) in devices {
            d.lastHeard += delta
            devices[id] = d
            markDevice(id)
        }
        for id in pendingEscalations {
            guard let slot = alertIndex[id], var rec = subjects[slot.subject]?.alerts[slot.rule] else { continue }
            rec.openedAt += delta
            if var progress = rec.escalation {
                progress.schedule(openedAt: rec.openedAt)
                rec.escalation = progress
            }
            subjects[slot.subject]?.alerts[slot.rule] = rec
            markSubject(slot.subject)
        }
    }
}
