import AnxinCore
import AsyncHTTPClient
import Logging
import ServiceLifecycle
import Synchronization

/// Drains the incident outbox to the 12349 hotline (SPEC section 7): critical first, a bounded
/// number of requests at once, failed ones retried with backoff, until graceful shutdown.
///
/// The loop polls the outbox for due incidents, starts deliveries in outbox order while a slot
/// is free, then sleeps until the next due time, a finished delivery, or ``wake()``. On
/// graceful shutdown it starts nothing new, lets the requests in hand finish and be recorded
/// (each bounded by ``HotlineSettings/timeout``), and returns. Anything not delivered stays in
/// the outbox for the next start.
public final class IncidentDispatcher: Service, Sendable {
    let outbox: any IncidentOutbox
    let settings: HotlineSettings?
    let clock: any WallClock
    let logger: Logger
    let httpClient: HTTPClient?
    let random: @Sendable () -> Double
    let onOutcome: @Sendable (DeliveryOutcome, PendingIncident) -> Void
    let bell = DispatcherBell()
    let inFlight = Mutex<Set<String>>([])

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
        self.outbox = outbox
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.httpClient = httpClient
        self.random = random
        self.onOutcome = onOutcome
    }

    /// A new incident was committed: look at the outbox now instead of at the next poll.
    public func wake() {
        bell.ring()
    }

    /// Delivers until graceful shutdown (or cancellation). Without settings it only waits,
    /// and incidents stay queued.
    public func run() async throws {
        guard let settings else {
            logger.notice("hotline.url is not set: incidents stay queued in the outbox")
            try? await gracefulShutdown()
            return
        }
        let client = httpClient ?? HTTPClient.shared
        await withGracefulShutdownHandler {
            await self.dispatch(settings: settings, client: client)
        } onGracefulShutdown: {
            self.bell.stop()
        }
    }

    private func dispatch(settings: HotlineSettings, client: HTTPClient) async {
        let schedule = RetrySchedule(
            base: settings.backoffBase, cap: settings.backoffCap, retryAfterCap: settings.retryAfterCap)
        let limit = max(1, settings.maxConcurrent)
        await withDiscardingTaskGroup { group in
            while !bell.isStopping && !Task.isCancelled {
                let busy = inFlight.withLock { $0.count }
                let free = limit - busy
                var started = 0
                if free > 0 {
                    do {
                        // Over-fetch by the in-flight count so those can be skipped.
                        let due = try await outbox.due(now: clock.now(), limit: limit + busy)
                        for incident in due where started < free && claim(incident.id) {
                            started += 1
                            group.addTask {
                                await self.deliver(incident, settings: settings, schedule: schedule, client: client)
                                self.inFlight.withLock { _ = $0.remove(incident.id) }
                                self.bell.ring()
                            }
                        }
                    } catch {
                        logger.error("outbox read failed", metadata: ["error": "\(type(of: error))"])
                        await bell.wait(timeout: settings.backoffBase)
                        continue
                    }
                }
                if started > 0 { continue }
                await bell.wait(timeout: await pause(settings: settings, slotsFree: free > 0))
            }
        }
    }

    /// Marks an incident as in flight; false when it already is.
    private func claim(_ id: String) -> Bool {
        inFlight.withLock { $0.insert(id).inserted }
    }

    /// How long to sleep when nothing new could be started.
    private func pause(settings: HotlineSettings, slotsFree: Bool) async -> Duration {
        guard slotsFree else { return settings.idlePoll }  // a finished delivery rings the bell
        let next: EpochMillis?
        do {
            next = try await outbox.nextDueTime()
        } catch {
            logger.error("outbox read failed", metadata: ["error": "\(type(of: error))"])
            return settings.backoffBase
        }
        guard let next else { return settings.idlePoll }
        let wait = next - clock.now()
        if wait > 0 { return min(.milliseconds(wait), settings.idlePoll) }
        // Due but not started: it is in flight (its end rings) or became due just now.
        let anyInFlight = inFlight.withLock { !$0.isEmpty }
        return anyInFlight ? min(settings.backoffBase, settings.idlePoll) : .milliseconds(10)
    }
}
