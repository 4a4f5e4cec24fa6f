import AnxinCore

/// The durable outbox ``OutboxDispatcher`` drains: every channel in one queue.
/// ``StoreDeliveryOutbox`` is the SQLite one.
///
/// Every `mark…` call records one attempt (the implementation increments `attempts`).
/// Delivered and rejected rows are never returned by `due` again; a rejected one comes back
/// only when an operator requeues it.
public protocol DeliveryOutbox: Sendable {
    /// Pending rows due at `now`, leaving out `excludingChannels`, ordered by priority then age,
    /// at most `limit`.
    func due(now: EpochMillis, limit: Int, excludingChannels: Set<String>) async throws -> [PendingDelivery]
    /// The earliest next-attempt time of any pending row outside `excludingChannels`, or nil.
    func nextDueTime(excludingChannels: Set<String>) async throws -> EpochMillis?
    /// The channel took it (`result` is accepted or duplicate).
    func markDelivered(_ item: PendingDelivery, result: DeliveryResult, at: EpochMillis) async throws
    /// A transient failure: try again at `nextAttemptAt`.
    func markRetry(_ item: PendingDelivery, result: DeliveryResult, nextAttemptAt: EpochMillis) async throws
    /// Refused for good: kept and shown to staff.
    func markRejected(_ item: PendingDelivery, result: DeliveryResult, at: EpochMillis) async throws
    /// The system clock stepped back by `delta` ms: move the next attempt of every pending row
    /// scheduled after `scheduledAfter` (the wall time before the step) back by as much, so each
    /// waits the time it had left.
    func clockSteppedBack(by delta: EpochMillis, scheduledAfter: EpochMillis) async throws
    /// `channel` took a delivery after failing: make its pending rows due at `at`.
    /// - Returns: how many rows were brought forward.
    func channelRecovered(_ channel: String, at: EpochMillis) async throws -> Int
}

extension DeliveryOutbox {
    /// Outboxes that keep no wall-clock schedule need not move anything.
    public func clockSteppedBack(by delta: EpochMillis, scheduledAfter: EpochMillis) async throws {}
    /// Outboxes without a schedule have nothing to bring forward.
    public func channelRecovered(_ channel: String, at: EpochMillis) async throws -> Int { 0 }
}
