/// Where and how incidents reach the 12349 hotline (`hotline:` in the config).
public struct HotlineSettings: Sendable {
    /// `hotline.url`: the endpoint incidents are POSTed to.
    public var url: String
    /// `hotline.updates_url`: where follow-ups go, `{id}` standing for the incident id;
    /// nil means `<url>/{id}/updates`.
    public var updatesURL: String?
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
        retryAfterCap: Duration = .seconds(3600), idlePoll: Duration = .seconds(30), updatesURL: String? = nil
    ) {
        self.url = url
        self.updatesURL = updatesURL
        self.secret = secret
        self.timeout = timeout
        self.maxConcurrent = max(1, maxConcurrent)
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.retryAfterCap = retryAfterCap
        self.idlePoll = idlePoll
    }

    /// The follow-up URL of one incident: ``updatesURL`` (or `<url>/{id}/updates`) with `{id}`
    /// replaced by the percent-encoded incident id.
    public func updatesURL(incidentID: String) -> String {
        let template = updatesURL ?? Self.joined(url, "{id}/updates")
        return template.replacing("{id}", with: URLText.pathSegment(incidentID))
    }

    /// `<url>/heartbeat`: the default of `hotline.heartbeat_url`.
    public var defaultHeartbeatURL: String { Self.joined(url, "heartbeat") }

    private static func joined(_ base: String, _ tail: String) -> String {
        base.hasSuffix("/") ? base + tail : base + "/" + tail
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}
