import Foundation

/// Notices steps of the system clock (NTP correcting a wrong clock, an operator's `date -s`) by
/// comparing how far the wall clock and the monotonic clock moved between two looks.
///
/// Timers that wait a duration but are scheduled in wall-clock time use it to keep the time they
/// had left: a step back must not hold an emergency's retry back by the size of the step.
public struct ClockStepDetector: Sendable {
    /// Differences up to this are drift and scheduling noise, not a step.
    public let thresholdMs: EpochMillis
    private var last: (wall: EpochMillis, monotonic: EpochMillis)?
    /// The wall time of the look before the latest one (nil before the second look).
    public private(set) var previousWall: EpochMillis?

    public init(thresholdMs: EpochMillis = 2000) { self.thresholdMs = thresholdMs }

    /// Milliseconds on the monotonic clock (never stepped; counts from boot).
    public static func monotonicNow() -> EpochMillis {
        EpochMillis(DispatchTime.now().uptimeNanoseconds / 1_000_000)
    }

    /// Records a look at `wall` (and the monotonic clock now); the step since the last look in
    /// milliseconds (positive: forward), or nil when there was none.
    public mutating func look(wall: EpochMillis, monotonic: EpochMillis = ClockStepDetector.monotonicNow())
        -> EpochMillis?
    {
        defer {
            previousWall = last?.wall
            last = (wall, monotonic)
        }
        guard let last else { return nil }
        let step = (wall - last.wall) - (monotonic - last.monotonic)
        return abs(step) > thresholdMs ? step : nil
    }
}
