import AnxinCore

/// When the next attempt of a failed delivery is due: exponential backoff with jitter,
/// `base` doubling per failure up to `cap`, and never before a `Retry-After` the hotline gave.
struct RetrySchedule: Sendable {
    var base: Duration
    var cap: Duration
    var retryAfterCap: Duration

    /// Jitter spreads each delay over ±20 % of its nominal value, so gateways that lost the
    /// hotline together do not retry in lockstep.
    static let jitterSpread = 0.2

    /// The delay after the `failures`-th failed attempt (1-based), `random` in 0..<1.
    func delay(failures: Int, random: Double) -> Int64 {
        let baseMs = max(1, base.wholeMilliseconds)
        let capMs = max(baseMs, cap.wholeMilliseconds)
        let shift = min(max(failures - 1, 0), 40)
        let nominal = baseMs > capMs >> shift ? capMs : baseMs << shift
        let r = min(max(random, 0), 1)
        let factor = 1 - Self.jitterSpread + 2 * Self.jitterSpread * r
        return min(capMs, Int64((Double(nominal) * factor).rounded()))
    }

    /// Next attempt time after a failure at `now`.
    func nextAttempt(now: EpochMillis, failures: Int, retryAfterMs: Int64?, random: Double) -> EpochMillis {
        var wait = delay(failures: failures, random: random)
        if let ra = retryAfterMs { wait = max(wait, min(ra, retryAfterCap.wholeMilliseconds)) }
        return now + wait
    }

    /// `Retry-After` as milliseconds from `now`: delta-seconds or an IMF-fixdate
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`). Nil when absent or unreadable.
    static func retryAfter(_ header: String?, now: EpochMillis) -> Int64? {
        guard let text = header?.trimmingSpaces, !text.isEmpty else { return nil }
        if let seconds = Int64(text), seconds >= 0 { return min(seconds, 1 << 40) * 1000 }
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]),
            let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3])
        else { return nil }
        let hms = parts[4].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3,
            let at = Timestamp.millis(
                year: year, month: month + 1, day: day, hour: hms[0], minute: hms[1], second: hms[2])
        else { return nil }
        return max(0, at - now)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var sub = Substring(self)
        while sub.first == " " || sub.first == "\t" { sub.removeFirst() }
        while sub.last == " " || sub.last == "\t" { sub.removeLast() }
        return String(sub)
    }
}
