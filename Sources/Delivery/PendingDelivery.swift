import AnxinCore
import Store

/// One outbox row waiting for its next attempt, on any channel.
public struct PendingDelivery: Sendable, Hashable {
    /// Stable row id, sent as `Idempotency-Key` where the channel takes one.
    public var id: String
    /// The alert it belongs to.
    public var alertID: String
    /// `hotline`, or a configured channel name such as `wecom-ward3`.
    public var channel: String
    public var kind: OutboxKind
    /// Delivery order: lower goes first (0 = critical).
    public var priority: Int
    /// The exact bytes rendered when it was queued (see ``NoticeFormat`` and ``HotlineUpdate``).
    public var body: [UInt8]
    /// Attempts already made before this one.
    public var attempts: Int
    /// When it was written to the outbox.
    public var createdAt: EpochMillis

    public init(
        id: String, alertID: String, channel: String = OutboxItem.hotline, kind: OutboxKind = .incident,
        priority: Int, body: [UInt8], attempts: Int = 0, createdAt: EpochMillis
    ) {
        self.id = id
        self.alertID = alertID
        self.channel = channel
        self.kind = kind
        self.priority = priority
        self.body = body
        self.attempts = attempts
        self.createdAt = createdAt
    }

    /// The pending form of a stored outbox row.
    public init(_ item: OutboxItem) {
        self.init(
            id: item.id, alertID: item.alertID, channel: item.channel, kind: item.kind, priority: item.priority,
            body: item.body, attempts: item.attempts, createdAt: item.createdAt)
    }

    /// For a follow-up (`<incident id>/ack`): the incident id, everything before the last `/`.
    /// For an incident, its own id.
    public var incidentID: String {
        guard kind == .update, let slash = id.lastIndex(of: "/") else { return id }
        return String(id[..<slash])
    }
}
