/// Where and how incidents reach the 12349 hotline (`hotline:` in the config).
public struct HotlineSettings: Sendable {
    /// `hotline.url`: the endpoint incidents are POSTed to.
    public var url: String
    /// HMAC key from `hotline.secret_file`; with it every request carries `X-Anxin-Signature`.
    public var secret: [UInt8]?
    /// Longest wait for one answer; a timeout is retried.
    public var timeout: Duration
    /// Most requests in flight at once.
    public var maxConcurrent: Int
    /// First retry delay; doubles on every further failure.
    public var backoffBase: Duration
    /// Longest retry delay.
    public var backoffCap: Duration
    /// Longest `Retry-After` honoured, so a wrong header cannot park an emergency for days.
    public var retryAfterCap: Duration
    /// Longest sleep between outbox polls when nothing wakes the dispatcher
    /// (catches incidents requeued by another process).
    public var idlePoll: Duration

    public init(
        url: String, secret: [UInt8]? = nil, timeout: Duration = .seconds(10), maxConcurrent: Int = 4,
        backoffBase: Duration = .seconds(1), backoffCap: Duration = .seconds(300),
        retryAfterCap: Duration = .seconds(3600), idlePoll: Duration = .seconds(30)
    ) {
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self.maxConcurrent = max(1, maxConcurrent)
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.retryAfterCap = retryAfterCap
        self.idlePoll = idlePoll
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}
