import AnxinCore
import Store

/// ``DeliveryOutbox`` on the SQLite store (give it a connection of its own).
///
/// Each outcome shows on the alert: a hotline incident's delivery or rejection adds a history
/// line here (`delivered`/`rejected` by `hotline`, note = ticket or error, detail = `HTTP <status>`);
/// a follow-up's or a notice's is written by ``Store/markDelivered(id:status:ticket:hotlineStatus:at:)``
/// and ``Store/markRejected(id:status:error:at:)`` themselves, in the same commit.
public final class StoreDeliveryOutbox: DeliveryOutbox {
    let store: Store
    let onChange: @Sendable () -> Void

    /// - Parameter onChange: called after every recorded attempt (e.g. to refresh the
    ///   `anxin_outbox_depth` gauges).
    public init(store: Store, onChange: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.onChange = onChange
    }

    public func due(now: EpochMillis, limit: Int, excludingChannels: Set<String>) async throws -> [PendingDelivery] {
        try store.due(now: now, limit: limit, excludingChannels: excludingChannels).map(PendingDelivery.init)
    }

    public func channelRecovered(_ channel: String, at: EpochMillis) async throws -> Int {
        try store.bringForward(channel: channel, to: at)
    }

    public func clockSteppedBack(by delta: EpochMillis, scheduledAfter: EpochMillis) async throws {
        try store.moveOutboxSchedule(back: delta, scheduledAfter: scheduledAfter)
    }

    public func nextDueTime(excludingChannels: Set<String>) async throws -> EpochMillis? {
        try store.nextDueTime(excludingChannels: excludingChannels)
    }

    public func markDelivered(_ item: PendingDelivery, result: DeliveryResult, at: EpochMillis) async throws {
        try store.inTransaction(durable: true) {
            guard
                try store.markDelivered(
                    id: item.id, status: result.status, ticket: result.ticket, hotlineStatus: result.hotlineStatus,
                    at: at),
                item.kind == .incident
            else { return }
            try store.addHistory(
                alertID: item.alertID, at: at, action: .delivered, by: OutboxItem.hotline,
                note: result.ticket.map { "ticket \($0)" }, detail: "HTTP \(result.status ?? 0)")
        }
        onChange()
    }

    public func markRetry(_ item: PendingDelivery, result: DeliveryResult, nextAttemptAt: EpochMillis) async throws {
        _ = try store.markRetry(
            id: item.id, status: result.status, error: result.failureText, nextAttemptAt: nextAttemptAt)
        onChange()
    }

    public func markRejected(_ item: PendingDelivery, result: DeliveryResult, at: EpochMillis) async throws {
        try store.inTransaction(durable: true) {
            guard try store.markRejected(id: item.id, status: result.status, error: result.failureText, at: at),
                item.kind == .incident
            else { return }
            try store.addHistory(
                alertID: item.alertID, at: at, action: .rejected, by: OutboxItem.hotline, note: result.failureText,
                detail: "HTTP \(result.status ?? 0)")
        }
        onChange()
    }
}
