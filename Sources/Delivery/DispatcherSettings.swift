/// Retry and polling behaviour of ``OutboxDispatcher``, the same for every channel.
public struct DispatcherSettings: Sendable {
    /// First retry delay; doubles on every further failure.
    public var backoffBase: Duration
    /// Longest retry delay.
    public var backoffCap: Duration
    /// Longest `Retry-After` honoured, so a wrong header cannot park an emergency for days.
    public var retryAfterCap: Duration
    /// Longest sleep between outbox polls when nothing wakes the dispatcher
    /// (catches rows requeued by another process).
    public var idlePoll: Duration

    public init(
        backoffBase: Duration = .seconds(1), backoffCap: Duration = .seconds(300),
        retryAfterCap: Duration = .seconds(3600), idlePoll: Duration = .seconds(30)
    ) {
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.retryAfterCap = retryAfterCap
        self.idlePoll = idlePoll
    }

    /// The hotline's retry settings (SPEC section 7: 1 s doubling to 5 min).
    public init(_ hotline: HotlineSettings) {
        self.init(
            backoffBase: hotline.backoffBase, backoffCap: hotline.backoffCap, retryAfterCap: hotline.retryAfterCap,
            idlePoll: hotline.idlePoll)
    }

    var schedule: RetrySchedule {
        RetrySchedule(base: backoffBase, cap: backoffCap, retryAfterCap: retryAfterCap)
    }
}
