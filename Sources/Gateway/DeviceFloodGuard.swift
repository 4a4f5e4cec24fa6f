import AnxinCore

/// Keeps one broken or hostile device from filling the database: each device may store readings at
/// `ratePerSecond` on average, with bursts of `burst` (a watch uploading a day of buffered samples
/// at once). Readings past that are shed and counted; events (SOS, falls) never pass through here.
///
/// Owned by the pipeline thread. Its table holds only devices that spent part of their burst, and
/// is swept of refilled buckets once a minute, so ever new device ids cannot grow it without bound.
struct DeviceFloodGuard {
    let ratePerSecond: Double
    let burst: Double
    /// Beyond this many tracked devices the table is cleared (every bucket starts full again).
    let maxTracked: Int

    private struct Bucket {
        var tokens: Double
        var at: EpochMillis
    }
    private var buckets: [String: Bucket] = [:]
    private var lastSweep: EpochMillis = 0

    init(ratePerSecond: Double = 20, burst: Double = 2_000, maxTracked: Int = 200_000) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.maxTracked = maxTracked
    }

    /// Devices currently tracked (for tests and the metrics).
    var trackedDevices: Int { buckets.count }

    /// Takes one reading's token for `device` at monotonic time `now`; false when the device is over
    /// its rate and the reading is to be shed.
    mutating func admit(_ device: String, now: EpochMillis) -> Bool {
        if ratePerSecond.isInfinite { return true }
        if now - lastSweep >= 60_000 { sweep(now: now) }
        var b = buckets[device] ?? Bucket(tokens: burst, at: now)
        b.tokens = min(burst, b.tokens + Double(max(0, now - b.at)) * ratePerSecond / 1000)
        b.at = now
        let admitted = b.tokens >= 1
        if admitted { b.tokens -= 1 }
        if buckets.count >= maxTracked && buckets[device] == nil { buckets.removeAll(keepingCapacity: true) }
        buckets[device] = b
        return admitted
    }

    /// Forgets devices whose bucket has filled up again.
    private mutating func sweep(now: EpochMillis) {
        lastSweep = now
        let refill = EpochMillis(burst / ratePerSecond * 1000)
        buckets = buckets.filter { now - $0.value.at < refill }
    }
}
