/// What one attempt on a channel ended in, as a transport reports it to the dispatcher.
public struct DeliveryResult: Sendable, Hashable {
    /// How the dispatcher records the attempt.
    public enum Verdict: Sendable, Hashable {
        /// Taken (2xx, or `errcode` 0 from a group robot).
        case accepted
        /// Already had it (409): recorded as delivered.
        case duplicate
        /// Transient: try again, not before `afterMs` when given (e.g. `Retry-After`).
        case retry(afterMs: Int64?)
        /// Refused for good: kept, retried only when an operator requeues it.
        case rejected
    }

    public var verdict: Verdict
    /// The HTTP status; nil when no answer came (or the channel has none, like MQTT).
    public var status: Int?
    /// The hotline's ticket, when its answer carried one.
    public var ticket: String?
    /// The hotline's own status word for the incident, when its answer carried one.
    public var hotlineStatus: String?
    /// Why it failed, short and fit for a log: never a body or resident data.
    public var reason: String?

    public init(
        _ verdict: Verdict, status: Int? = nil, ticket: String? = nil, hotlineStatus: String? = nil,
        reason: String? = nil
    ) {
        self.verdict = verdict
        self.status = status
        self.ticket = ticket
        self.hotlineStatus = hotlineStatus
        self.reason = reason
    }

    /// The metrics label of this attempt.
    public var outcome: DeliveryOutcome {
        switch verdict {
        case .accepted: .accepted
        case .duplicate: .duplicate
        case .retry: .retry
        case .rejected: .rejected
        }
    }

    /// The failure text stored with a retry or rejection: ``reason``, else `HTTP <status>`.
    var failureText: String { reason ?? "HTTP \(status ?? 0)" }
}
