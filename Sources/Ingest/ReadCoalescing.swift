/// How long the MQTT loop thread lets messages gather before its next read, while they arrive one at a
/// time at a high rate.
///
/// Read as they come, messages arriving 50 µs apart cost a wake-up, a poll, a kernel read and an
/// acknowledgement write each, and wake the pipeline once each: at a paced 20,000 msg/s the loop thread
/// spent 15 µs of CPU a message, three times what it spends on a message of a long burst. Above
/// ``minRate`` a burst of fewer than ``batch`` messages is followed by a wait of about the time
/// ``batch`` messages take to arrive, at most ``maxWaitNanos``: what was read is acknowledged and handed
/// to the pipeline first, so only the next messages wait, by at most a millisecond. Below that rate
/// (a district's wristbands reporting once a minute, an SOS in a quiet hour) nothing waits at all.
struct ReadCoalescing {
    /// Messages a second above which bursts are gathered.
    static let minRate = 2_000.0
    /// Messages a gathered burst aims at.
    static let batch = 16
    /// The longest wait before a read.
    static let maxWaitNanos: UInt64 = 1_000_000
    /// The arrival rate is measured over windows of at least this long.
    static let windowNanos: UInt64 = 100_000_000

    private var windowStart: UInt64?
    private var windowMessages = 0
    /// Messages a second over the last whole window.
    private(set) var rate = 0.0

    /// After a burst of `messages` read at `now` (monotonic nanoseconds): how long to wait before the next
    /// read, 0 for not at all.
    mutating func afterBurst(messages: Int, now: UInt64) -> UInt64 {
        windowMessages += messages
        let start = windowStart ?? now
        windowStart = start
        if now &- start >= Self.windowNanos {
            rate = Double(windowMessages) / (Double(now &- start) / 1e9)
            windowMessages = 0
            windowStart = now
        }
        guard messages > 0, messages < Self.batch, rate >= Self.minRate else { return 0 }
        return Swift.min(Self.maxWaitNanos, UInt64(Double(Self.batch) / rate * 1e9))
    }
}
