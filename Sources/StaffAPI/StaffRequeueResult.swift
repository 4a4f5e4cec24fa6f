import Store

/// What came of an admin's requeue of an outbox item.
public enum StaffRequeueResult: Sendable {
    /// Queued to be sent again now; the item as it now stands.
    case ok(OutboxItem)
    /// No outbox item has that id (404).
    case notFound
    /// It was delivered already; nothing changed (409).
    case alreadyDelivered
}
