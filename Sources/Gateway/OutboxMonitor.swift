import AnxinCore
import Store

/// Keeps `anxin_outbox_depth` and `anxin_outbox_oldest_age_seconds` in step with the outbox.
final class OutboxMonitor: Sendable {
    let store: Store
    let metrics: GatewayMetrics
    let clock: any WallClock

    init(store: Store, metrics: GatewayMetrics, clock: any WallClock) {
        self.store = store
        self.metrics = metrics
        self.clock = clock
    }

    func refreshMetrics() {
        guard let stats = try? store.outboxStats(now: clock.now()) else { return }
        metrics.outboxDepth.store(stats.depth, ordering: .relaxed)
        metrics.outboxOldestAgeMs.store(stats.depth == 0 ? -1 : Int(stats.oldestAgeSeconds * 1000), ordering: .relaxed)
    }
}
