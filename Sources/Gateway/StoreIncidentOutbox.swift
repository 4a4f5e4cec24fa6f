import AnxinCore
import Delivery
import Store

/// The hotline dispatcher's view of the SQLite outbox (its own connection). Each outcome
/// is also written to the alert's history so staff see what the hotline answered.
final class StoreIncidentOutbox: IncidentOutbox {
    let store: Store
    let metrics: GatewayMetrics
    let clock: any WallClock

    init(store: Store, metrics: GatewayMetrics, clock: any WallClock) {
        self.store = store
        self.metrics = metrics
        self.clock = clock
    }

    func due(now: EpochMillis, limit: Int) async throws -> [PendingIncident] {
        try store.dueIncidents(now: now, limit: limit).map {
            PendingIncident(
                id: $0.id, alertID: $0.alertID, priority: $0.priority, body: $0.body, attempts: $0.attempts,
                createdAt: $0.createdAt)
        }
    }

    func nextDueTime() async throws -> EpochMillis? { try store.nextDueTime() }

    func markDelivered(id: String, status: Int, ticket: String?, at: EpochMillis) async throws {
        try store.inTransaction {
            guard try store.markDelivered(id: id, status: status, ticket: ticket, at: at),
                let item = try store.outboxItem(id: id)
            else { return }
            try store.addHistory(
                alertID: item.alertID, at: at, action: .delivered, by: "hotline", note: ticket.map { "ticket \($0)" },
                detail: "HTTP \(status)")
        }
        refreshMetrics()
    }

    func markRetry(id: String, status: Int?, error: String, nextAttemptAt: EpochMillis) async throws {
        _ = try store.markRetry(id: id, status: status, error: error, nextAttemptAt: nextAttemptAt)
        refreshMetrics()
    }

    func markRejected(id: String, status: Int, error: String, at: EpochMillis) async throws {
        try store.inTransaction {
            guard try store.markRejected(id: id, status: status, error: error, at: at),
                let item = try store.outboxItem(id: id)
            else { return }
            try store.addHistory(
                alertID: item.alertID, at: at, action: .rejected, by: "hotline", note: error, detail: "HTTP \(status)")
        }
        refreshMetrics()
    }

    /// Updates the outbox gauges.
    func refreshMetrics() {
        guard let stats = try? store.outboxStats(now: clock.now()) else { return }
        metrics.outboxDepth.store(stats.depth, ordering: .relaxed)
        metrics.outboxOldestAgeMs.store(stats.depth == 0 ? -1 : Int(stats.oldestAgeSeconds * 1000), ordering: .relaxed)
    }
}
