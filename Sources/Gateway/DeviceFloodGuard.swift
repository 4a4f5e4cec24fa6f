import AnxinCore

/// Keeps one broken or hostile device from filling the database: each device may store readings at
/// `ratePerSecond` on average, with bursts of `burst` (a watch uploading a day of buffered samples
/// at once). Readings past that are shed and counted; events (SOS, falls) never pass through here.
///
/// Owned by the pipeline thread. A registered device's bucket is found by the device's position in the
/// registry (found with its binding, so its id is not hashed again), in a table of the registry's size
/// made at the first reading; the table of other devices holds only those that spent part of their
/// burst, and is swept of refilled buckets once a minute, so ever new device ids cannot grow it without
/// bound.
struct DeviceFloodGuard {
    let ratePerSecond: Double
    let burst: Double
    /// Beyond this many tracked devices the table is cleared (every bucket starts full again).
    let maxTracked: Int

    private struct Bucket {
        var tokens: Double
        var at: EpochMillis
        /// A registered device not heard since the registry came into force: its bucket is full.
        static let unheard = Bucket(tokens: 0, at: .min)
    }
    /// Buckets of the registry's devices, by position in its bindings (empty until the first reading).
    private var registered: [Bucket] = []
    private var buckets: [String: Bucket] = [:]
    private var lastSweep: EpochMillis = 0
    /// The device the last reading came from and where its bucket is: a message's further readings (a
    /// batch upload carries a dozen) take their tokens without hashing its id again. Forgotten whenever
    /// the table changes shape (a device added, a sweep, a clear), which moves its indices.
    private var last: (device: String, index: Dictionary<String, Bucket>.Index)?

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
        if let last, last.device == device {
            return Self.take(&buckets.values[last.index], now: now, burst: burst, ratePerSecond: ratePerSecond)
        }
        // One hash for a device already tracked: its bucket is changed in place.
        if let i = buckets.index(forKey: device) {
            last = (device, i)
            return Self.take(&buckets.values[i], now: now, burst: burst, ratePerSecond: ratePerSecond)
        }
        if buckets.count >= maxTracked { buckets.removeAll(keepingCapacity: true) }
        var b = Bucket(tokens: burst, at: now)
        let admitted = Self.take(&b, now: now, burst: burst, ratePerSecond: ratePerSecond)
        buckets[device] = b
        last = nil
        return admitted
    }

    /// Takes one reading's token for the registered device at `position` of a registry of `devices`
    /// devices; false when the device is over its rate and the reading is to be shed.
    mutating func admit(registered position: Int, of devices: Int, now: EpochMillis) -> Bool {
        if ratePerSecond.isInfinite { return true }
        if now - lastSweep >= 60_000 { sweep(now: now) }
        if registered.count != devices { registered = Array(repeating: .unheard, count: devices) }
        if registered[position].at == .min { registered[position] = Bucket(tokens: burst, at: now) }
        return Self.take(&registered[position], now: now, burst: burst, ratePerSecond: ratePerSecond)
    }

    /// Moves the registered devices' buckets to their positions in `new` (a reload): a device still
    /// registered keeps its bucket, so a reload never gives a flooding device a fresh burst; one no
    /// longer registered gets a bucket in the other table.
    mutating func registryChanged(from old: RegistrySnapshot, to new: RegistrySnapshot) {
        guard !registered.isEmpty else { return }
        var moved = Array(repeating: Bucket.unheard, count: new.bindings.count)
        for (p, b) in registered.enumerated() where b.at != .min && p < old.bindings.count {
            let device = old.bindings.keys[p]
            if let q = new.bindings.index(forKey: device) {
                moved[q] = b
            } else if buckets.count < maxTracked {
                buckets[device] = b
                last = nil
            }
        }
        registered = moved
    }

    @inline(__always)
    private static func take(_ b: inout Bucket, now: EpochMillis, burst: Double, ratePerSecond: Double) -> Bool {
        b.tokens = min(burst, b.tokens + Double(max(0, now - b.at)) * ratePerSecond / 1000)
        b.at = now
        if b.tokens < 1 { return false }
        b.tokens -= 1
        return true
    }

    /// Forgets devices whose bucket has filled up again.
    private mutating func sweep(now: EpochMillis) {
        lastSweep = now
        last = nil
        let refill = EpochMillis(burst / ratePerSecond * 1000)
        buckets = buckets.filter { now - $0.value.at < refill }
    }
}
