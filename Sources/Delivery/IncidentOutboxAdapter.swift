import AnxinCore
import Store

/// Shows an ``IncidentOutbox`` (hotline incidents only) to ``OutboxDispatcher``.
struct IncidentOutboxAdapter: DeliveryOutbox {
    let outbox: any IncidentOutbox

    func due(now: EpochMillis, limit: Int, excludingChannels: Set<String>) async throws -> [PendingDelivery] {
        if excludingChannels.contains(OutboxItem.hotline) { return [] }
        return try await outbox.due(now: now, limit: limit).map(PendingDelivery.init)
    }

    func nextDueTime(excludingChannels: Set<String>) async throws -> EpochMillis? {
        if excludingChannels.contains(OutboxItem.hotline) { return nil }
        return try await outbox.nextDueTime()
    }

    func markDelivered(_ item: PendingDelivery, result: DeliveryResult, at: EpochMillis) async throws {
        try await outbox.markDelivered(id: item.id, status: result.status ?? 0, ticket: result.ticket, at: at)
    }

    func markRetry(_ item: PendingDelivery, result: DeliveryResult, nextAttemptAt: EpochMillis) async throws {
        try await outbox.markRetry(
            id: item.id, status: result.status, error: result.failureText, nextAttemptAt: nextAttemptAt)
    }

    func markRejected(_ item: PendingDelivery, result: DeliveryResult, at: EpochMillis) async throws {
        try await outbox.markRejected(id: item.id, status: result.status ?? 0, error: result.failureText, at: at)
    }
}

extension PendingDelivery {
    /// A hotline incident as a delivery on the `hotline` channel.
    public init(_ incident: PendingIncident) {
        self.init(
            id: incident.id, alertID: incident.alertID, channel: OutboxItem.hotline, kind: .incident,
            priority: incident.priority, body: incident.body, attempts: incident.attempts, createdAt: incident.createdAt
        )
    }
}

extension PendingIncident {
    /// The incident form of a hotline delivery.
    public init(_ item: PendingDelivery) {
        self.init(
            id: item.id, alertID: item.alertID, priority: item.priority, body: item.body, attempts: item.attempts,
            createdAt: item.createdAt)
    }
}
