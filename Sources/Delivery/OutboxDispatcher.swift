import AnxinCore
import Logging
import ServiceLifecycle
import Synchronization

/// Drains the one durable outbox to every channel: hotline incidents and follow-ups, staff
/// notices on group robots, webhooks and MQTT. Most urgent first across channels, a bounded
/// number of attempts per channel (``DeliveryTransport/maxConcurrent``), failures retried with
/// backoff, until graceful shutdown.
///
/// Each channel has its own slots: while a slow or dead channel fills its slots, its rows are
/// left out of the outbox query, so they can never hold back a hotline incident queued after
/// them. Rows of a channel with no transport (not configured, or configured in another part of
/// the Gateway that is not running) are recorded as a retry with backoff: kept, never lost.
///
/// On graceful shutdown it starts nothing new, lets the attempts in hand finish and be
/// recorded, and returns. Anything not delivered stays in the outbox for the next start.
public final class OutboxDispatcher: Service, Sendable {
    struct InFlight {
        var ids: Set<String> = []
        var perChannel: [String: Int] = [:]
    }

    let outbox: any DeliveryOutbox
    let transports: [String: any DeliveryTransport]
    let settings: DispatcherSettings
    let clock: any WallClock
    let logger: Logger
    let random: @Sendable () -> Double
    let onOutcome: @Sendable (DeliveryOutcome, PendingDelivery) -> Void
    let bell = DispatcherBell()
    let inFlight = Mutex(InFlight())
    /// Watches for steps of the system clock; nil when the clock is not the system's (tests).
    let clockSteps: Mutex<ClockStepDetector>?

    /// - Parameters:
    ///   - outbox: the durable outbox.
    ///   - transports: one per channel name (`hotline` → ``HotlineTransport``, `wecom-ward3` →
    ///     ``WeComTransport``, …).
    ///   - settings: retry and polling.
    ///   - clock: wall time for attempt timestamps and next-attempt times.
    ///   - random: 0..<1, drives the retry jitter.
    ///   - onOutcome: called once per recorded attempt (for `anxin_deliveries_total{outcome}`).
    public init(
        outbox: any DeliveryOutbox, transports: [String: any DeliveryTransport],
        settings: DispatcherSettings = DispatcherSettings(), clock: any WallClock, logger: Logger,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        watchClockSteps: Bool = false,
        onOutcome: @escaping @Sendable (DeliveryOutcome, PendingDelivery) -> Void = { _, _ in }
    ) {
        self.clockSteps = watchClockSteps ? Mutex(ClockStepDetector()) : nil
        self.outbox = outbox
        self.transports = transports
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.random = random
        self.onOutcome = onOutcome
    }

    /// A new row was committed: look at the outbox now instead of at the next poll.
    public func wake() {
        bell.ring()
    }

    /// Delivers until graceful shutdown (or cancellation).
    public func run() async throws {
        await withGracefulShutdownHandler {
            await self.dispatch()
        } onGracefulShutdown: {
            self.bell.stop()
        }
    }

    private func dispatch() async {
        let schedule = settings.schedule
        await withDiscardingTaskGroup { group in
            while !bell.isStopping && !Task.isCancelled {
                await followClockSteps()
                let (busy, full) = occupancy()
                let free = freeSlots(full: full)
                var progressed = false
                if free > 0 {
                    do {
                        // Over-fetch by the in-flight count so those can be skipped: by the ids in flight
                        // before the read, since one that finishes meanwhile is read as it was.
                        let flying = inFlight.withLock { $0.ids }
                        let due = try await outbox.due(now: clock.now(), limit: free + busy, excludingChannels: full)
                        for item in due where !flying.contains(item.id) {
                            guard let transport = transports[item.channel] else {
                                await park(item, schedule: schedule)
                                progressed = true
                                continue
                            }
                            guard claim(item, limit: transport.maxConcurrent) else { continue }
                            progressed = true
                            group.addTask {
                                await self.attempt(item, transport: transport, schedule: schedule)
                                self.release(item)
                                self.bell.ring()
                            }
                        }
                    } catch {
                        logger.error("outbox read failed", metadata: ["error": "\(type(of: error))"])
                        await bell.wait(timeout: settings.backoffBase)
                        continue
                    }
                }
                if progressed { continue }
                await bell.wait(timeout: await pause(slotsFree: free > 0, full: full))
            }
        }
    }

    /// After a step of the system clock back, pending retries keep the wait they had left instead of
    /// waiting the size of the step on top. (After a step forward they come due early: harmless.)
    /// - Parameter now: the wall time just read (the pause before a sleep passes the one it computes the
    ///   wait from: a step between the loop's look and that reading would otherwise make it sleep the
    ///   size of the step, up to `idlePoll`, before the next look saw it).
    /// - Returns: true when the clock stepped back since the last look.
    @discardableResult
    private func followClockSteps(now: EpochMillis? = nil) async -> Bool {
        let now = now ?? clock.now()
        guard let (step, before) = clockSteps?.withLock({ d in d.look(wall: now).map { ($0, d.previousWall) } }),
            step < 0, let before
        else { return false }
        do {
            try await outbox.clockSteppedBack(by: -step, scheduledAfter: before)
            logger.warning(
                "system clock stepped; retries keep the wait they had left", metadata: ["step_ms": "\(step)"])
        } catch {
            logger.error("could not move retries after a clock step", metadata: ["error": "\(type(of: error))"])
        }
        return true
    }

    /// Rows in flight, and the channels whose slots are all taken.
    private func occupancy() -> (busy: Int, full: Set<String>) {
        inFlight.withLock { f in
            let full = f.perChannel.filter { channel, count in
                count >= max(1, transports[channel]?.maxConcurrent ?? 1)
            }
            return (f.ids.count, Set(full.keys))
        }
    }

    private func freeSlots(full: Set<String>) -> Int {
        inFlight.withLock { f in
            transports.reduce(0) { sum, entry in
                full.contains(entry.key)
                    ? sum : sum + max(1, entry.value.maxConcurrent) - (f.perChannel[entry.key] ?? 0)
            }
        }
    }

    /// Marks a row as in flight; false when it already is or its channel has no free slot.
    private func claim(_ item: PendingDelivery, limit: Int) -> Bool {
        inFlight.withLock { f in
            guard !f.ids.contains(item.id), f.perChannel[item.channel, default: 0] < max(1, limit) else { return false }
            f.ids.insert(item.id)
            f.perChannel[item.channel, default: 0] += 1
            return true
        }
    }

    private func release(_ item: PendingDelivery) {
        inFlight.withLock { f in
            f.ids.remove(item.id)
            let left = (f.perChannel[item.channel] ?? 1) - 1
            f.perChannel[item.channel] = left > 0 ? left : nil
        }
    }

    /// How long to sleep when nothing new could be started.
    private func pause(slotsFree: Bool, full: Set<String>) async -> Duration {
        guard slotsFree else { return settings.idlePoll }  // a finished attempt rings the bell
        let next: EpochMillis?
        do {
            next = try await outbox.nextDueTime(excludingChannels: full)
        } catch {
            logger.error("outbox read failed", metadata: ["error": "\(type(of: error))"])
            return settings.backoffBase
        }
        guard let next else { return settings.idlePoll }
        let now = clock.now()
        if await followClockSteps(now: now) { return .zero }
        let wait = next - now
        if wait > 0 { return min(.milliseconds(wait), settings.idlePoll) }
        // Due but not started: it is in flight (its end rings) or became due just now.
        let anyInFlight = inFlight.withLock { !$0.ids.isEmpty }
        return anyInFlight ? min(settings.backoffBase, settings.idlePoll) : .milliseconds(10)
    }
}
