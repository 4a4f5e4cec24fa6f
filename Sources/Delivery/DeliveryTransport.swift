/// Sends one outbox row over one channel (the hotline, a group robot, a webhook, MQTT).
///
/// The Gateway registers one transport per channel name with ``OutboxDispatcher``; rows of a
/// channel with no transport wait in the outbox and are tried again later. A transport bounds
/// the time of its own attempts (a timeout), so a dead channel holds only its own slots.
public protocol DeliveryTransport: Sendable {
    /// Most attempts of this channel in flight at once (default 1).
    var maxConcurrent: Int { get }
    /// One attempt; never throws: every failure is a ``DeliveryResult`` with a reason.
    func deliver(_ item: PendingDelivery) async -> DeliveryResult
}

extension DeliveryTransport {
    /// One at a time: group robots allow about 20 messages a minute anyway.
    public var maxConcurrent: Int { 1 }
}
