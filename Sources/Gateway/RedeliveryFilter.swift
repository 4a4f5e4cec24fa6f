import AnxinCore

/// Drops a message that repeats, byte for byte, the previous message of the same device within
/// ``window`` ms, when its shape carries no timestamp of its own.
///
/// Readings with the device's own measured time are deduplicated by the store (same device, kind,
/// time and value is one row) and alerts by the engine (one unresolved alert per subject and rule).
/// Shapes without a timestamp are stamped with the receive time, so a QoS 1 redelivery (a device
/// resending because its acknowledgement was lost) would otherwise be a second reading. Only the
/// device's previous message is compared, so "left bed, back, left bed" is three messages.
///
/// Owned by the pipeline thread; entries older than the window are swept, so the table holds only
/// devices heard in the last ``window`` ms.
struct RedeliveryFilter {
    /// How long an identical payload counts as the same message.
    static let window: EpochMillis = 10_000

    struct Entry {
        var hash: UInt64
        var at: EpochMillis
    }
    /// A `DenseStringMap`: in a burst a city's devices are all here at once (a dictionary of 100,000 took
    /// 262,144 buckets of key and entry).
    private var last = DenseStringMap<Entry>()
    private var lastSweep: EpochMillis = 0

    /// Devices remembered now.
    var trackedDevices: Int { last.count }

    /// True when `payload` from `device` repeats its previous message within the window (monotonic
    /// `now`); records it otherwise.
    mutating func isRepeat(
        device: String, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, now: EpochMillis
    ) -> Bool {
        if now - lastSweep >= Self.window {
            lastSweep = now
            // In place, from the end: a removal moves the last entry, already looked at, into the hole.
            var i = last.count - 1
            while i >= 0 {
                if now - last.values[i].at >= Self.window {
                    let key = last.keys[i]
                    last.removeValue(forKey: key)
                }
                i -= 1
            }
        }
        let h = Self.hash(topic, payload)
        guard let i = last.index(forKey: device) else {
            last[device] = Entry(hash: h, at: now)
            return false
        }
        if last.values[i].hash == h, now - last.values[i].at < Self.window { return true }
        last.values[i] = Entry(hash: h, at: now)
        return false
    }

    /// FNV-1a over the topic and the payload.
    static func hash(_ topic: UnsafeRawBufferPointer, _ payload: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in topic {
            h = (h ^ UInt64(b)) &* 0x100_0000_01b3
        }
        h = (h ^ 0xff) &* 0x100_0000_01b3
        for b in payload {
            h = (h ^ UInt64(b)) &* 0x100_0000_01b3
        }
        return h
    }
}
