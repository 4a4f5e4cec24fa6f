import AnxinCore

/// Slows password guessing: after `failureLimit` failed sign-ins for one username, that username
/// is locked for `lockout`; and no more than `maxConcurrent` bcrypt checks run at once, so a flood
/// of sign-ins cannot eat the CPU the pipeline needs. Unknown usernames are counted like known
/// ones, so the lock tells nothing about which accounts exist.
struct LoginThrottle: Sendable {
    let failureLimit: Int
    let lockout: EpochMillis
    let maxConcurrent: Int
    /// Usernames tracked at most; beyond it, entries neither locked nor recent are forgotten.
    let maxTracked = 10_000

    struct Entry: Sendable {
        var failures: Int
        var lastFailure: EpochMillis
        var lockedUntil: EpochMillis
    }

    private(set) var entries: [String: Entry] = [:]
    private(set) var inFlight = 0

    init(failureLimit: Int, lockout: EpochMillis, maxConcurrent: Int) {
        self.failureLimit = max(1, failureLimit)
        self.lockout = max(0, lockout)
        self.maxConcurrent = max(1, maxConcurrent)
    }

    /// Starts an attempt: nil when it may go ahead (the caller must call `finish`), otherwise the
    /// seconds to wait.
    mutating func begin(user: String, now: EpochMillis) -> Int? {
        if let e = entries[user], e.lockedUntil > now {
            return Int((e.lockedUntil - now + 999) / 1000)
        }
        guard inFlight < maxConcurrent else { return 1 }
        inFlight += 1
        return nil
    }

    /// Ends an attempt begun with `begin`.
    mutating func finish(user: String, succeeded: Bool, now: EpochMillis) {
        inFlight -= 1
        if succeeded {
            entries[user] = nil
            return
        }
        var e = entries[user] ?? Entry(failures: 0, lastFailure: now, lockedUntil: 0)
        // Failures older than one lockout period are forgiven.
        if now - e.lastFailure > lockout { e.failures = 0 }
        e.failures += 1
        e.lastFailure = now
        if e.failures >= failureLimit {
            e.failures = 0
            e.lockedUntil = now + lockout
        }
        entries[user] = e
        if entries.count > maxTracked {
            entries = entries.filter { $0.value.lockedUntil > now || now - $0.value.lastFailure <= lockout }
        }
    }
}
