import AnxinCore
import AsyncHTTPClient
import Logging
import ServiceLifecycle
import Store

/// Drains an ``IncidentOutbox`` to the 12349 hotline only (SPEC section 7): an
/// ``OutboxDispatcher`` with a single ``HotlineTransport``. Kept for callers that have only
/// incidents; a Gateway with staff channels and follow-ups uses ``OutboxDispatcher`` with a
/// ``StoreDeliveryOutbox`` directly.
public final class IncidentDispatcher: Service, Sendable {
    let core: OutboxDispatcher?
    let logger: Logger

    /// - Parameters:
    ///   - outbox: the durable outbox.
    ///   - settings: the hotline; nil (no `hotline.url`) keeps every incident queued.
    ///   - clock: wall time for attempt timestamps and next-attempt times.
    ///   - httpClient: defaults to `HTTPClient.shared`; an injected client is not shut down here.
    ///   - random: 0..<1, drives the retry jitter.
    ///   - onOutcome: called once per recorded attempt (for `anxin_deliveries_total{outcome}`).
    public init(
        outbox: any IncidentOutbox, settings: HotlineSettings?, clock: any WallClock, logger: Logger,
        httpClient: HTTPClient? = nil,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        onOutcome: @escaping @Sendable (DeliveryOutcome, PendingIncident) -> Void = { _, _ in }
    ) {
        self.logger = logger
        guard let settings else {
            core = nil
            return
        }
        core = OutboxDispatcher(
            outbox: IncidentOutboxAdapter(outbox: outbox),
            transports: [
                OutboxItem.hotline: HotlineTransport(settings: settings, httpClient: httpClient, clock: clock)
            ],
            settings: DispatcherSettings(settings), clock: clock, logger: logger, random: random,
            onOutcome: { outcome, item in onOutcome(outcome, PendingIncident(item)) })
    }

    /// A new incident was committed: look at the outbox now instead of at the next poll.
    public func wake() {
        core?.wake()
    }

    /// Delivers until graceful shutdown (or cancellation). Without settings it only waits,
    /// and incidents stay queued.
    public func run() async throws {
        guard let core else {
            logger.notice("hotline.url is not set: incidents stay queued in the outbox")
            try? await gracefulShutdown()
            return
        }
        try await core.run()
    }
}
