import AnxinCore
import Foundation
import Ingest
import Logging
import Profiles
import Rules
import Store
import Synchronization

/// The one thread that decodes, judges and stores every message, in arrival order.
///
/// It owns the write connection to the database and the rule engine, so nothing on the
/// per-message path takes a lock or hops an actor. Readings are committed in batches at
/// most `batchIntervalMs` apart; any alert decision is committed at once, in its own
/// transaction together with the readings before it, and an emergency's outbox row is
/// part of that same transaction, before the next message is handled.
public final class Pipeline: @unchecked Sendable {
    let config: GatewayConfig
    let store: Store
    let handoff: MessageHandoff
    let metrics: GatewayMetrics
    let clock: any WallClock
    let logger: Logger
    /// Called after an emergency commit so the dispatcher delivers at once.
    let onIncidentQueued: @Sendable () -> Void
    /// Called after a commit with the ids of alerts that changed.
    let onAlertsChanged: @Sendable ([String]) -> Void
    /// Tells the engine whether silence timers run (connected to the broker).
    let isConnected: @Sendable () -> Bool

    // Owned by the pipeline thread.
    var runtime: RuntimeSet
    let engine: RuleEngine
    /// Silences in force, mirrored from the store.
    var silences = SilenceBook()
    /// Staff notices queued since the last commit (the dispatcher is woken for them).
    var notices = 0
    private var output = DecodeOutput()
    private var pendingReadings: [Reading] = []
    /// Devices heard through events only, so unknown devices are recorded too.
    private var pendingEventDevices: [(device: String, profile: String, at: EpochMillis, registered: Bool)] = []
    private var pendingOldestReceivedAt: EpochMillis?
    private var decisions: [Decision] = []
    var latest: [String: LatestVitals] = [:]
    private var lastTick: EpochMillis = 0
    private lazy var commitAfterMs = EpochMillis(max(1, config.storage.batchIntervalMs * 4 / 5 - 10))
    /// After a failed commit (disk full, I/O error) the next try waits this long, so a broken
    /// disk is not hammered every loop; what is pending stays in memory meanwhile.
    private var retryCommitAfter: EpochMillis = 0
    private var lastCommitErrorLog: EpochMillis = 0
    /// Readings held in memory at most while commits fail; older ones are shed (counted).
    static let maxPendingReadings = 500_000

    // Shared with other threads.
    private let inbox = Mutex<Inbox>(Inbox())
    private let stopRequested = Atomic<Bool>(false)
    private let finished = Mutex<Bool>(false)
    private var thread: Thread?
    private let doneSemaphore = DispatchSemaphore(value: 0)

    struct Inbox {
        var commands: [(StaffCommand, CheckedContinuation<StaffCommandResult, Never>)] = []
        var reload: RuntimeSet?
    }

    public init(
        config: GatewayConfig, runtime: RuntimeSet, store: Store, handoff: MessageHandoff,
        metrics: GatewayMetrics, clock: any WallClock, logger: Logger,
        isConnected: @escaping @Sendable () -> Bool,
        onIncidentQueued: @escaping @Sendable () -> Void,
        onAlertsChanged: @escaping @Sendable ([String]) -> Void
    ) {
        self.config = config
        self.runtime = runtime
        self.store = store
        self.handoff = handoff
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.isConnected = isConnected
        self.onIncidentQueued = onIncidentQueued
        self.onAlertsChanged = onAlertsChanged
        engine = RuleEngine(rules: runtime.rules, utcOffsetSeconds: config.utcOffsetSeconds, idGenerator: AlertIDs.make)
        engine.restoreState((try? store.loadRuleState()) ?? [:])
        silences = SilenceBook((try? store.silencesInForce(at: clock.now())) ?? [])
        pendingReadings.reserveCapacity(4096)
    }

    // MARK: control from other threads

    public func start() {
        let t = Thread { [self] in
            run()
            doneSemaphore.signal()
        }
        t.name = "anxin-pipeline"
        t.stackSize = 4 << 20
        thread = t
        t.start()
    }

    /// Asks the loop to drain what is in hand, commit and end; waits for it.
    public func stopAndWait() {
        stopRequested.store(true, ordering: .releasing)
        let already = finished.withLock { $0 }
        if !already, thread != nil { doneSemaphore.wait() }
    }

    /// Swaps in a validated set of profiles, rules and registry at the next loop turn.
    public func reload(_ set: RuntimeSet) {
        inbox.withLock { $0.reload = set }
    }

    /// Runs a staff action on the pipeline thread.
    public func perform(_ command: StaffCommand) async -> StaffCommandResult {
        await withCheckedContinuation { cont in
            inbox.withLock { $0.commands.append((command, cont)) }
        }
    }

    // MARK: the loop

    private func run() {
        var batch: [InboundMessage] = []
        batch.reserveCapacity(512)
        while true {
            metrics.pipelineLoops.add(1, ordering: .relaxed)
            let stopping = stopRequested.load(ordering: .acquiring)
            batch = handoff.popBatch(max: 512, timeoutMs: stopping ? 0 : 10)
            for m in batch { handle(m) }
            let now = clock.now()
            if now - lastTick >= 1000 {
                lastTick = now
                engine.tick(now: now, connected: isConnected(), into: &decisions)
                if !decisions.isEmpty { commit(now: now) }
            }
            serviceInbox()
            // Commit early enough that the oldest reading waits at most the batch interval,
            // allowing for the loop's 10 ms wake-up and the commit itself.
            if let oldest = pendingOldestReceivedAt, clock.now() - oldest >= commitAfterMs {
                commit(now: clock.now())
            }
            if stopping && batch.isEmpty {
                commit(now: clock.now())
                serviceInbox()
                finished.withLock { $0 = true }
                return
            }
        }
    }

    private func handle(_ m: InboundMessage) {
        // Oversize messages never get here: the ingest counts and drops them without a copy.
        metrics.messagesReceived.add(1, ordering: .relaxed)
        if let failure = runtime.profiles.decode(
            topic: m.topic, payload: m.payload, receivedAt: m.receivedAt, into: &output)
        {
            metrics.countRejected(failure.reason)
            logger.debug(
                "message rejected", metadata: ["reason": "\(failure.reason.rawValue)", "detail": "\(failure.message)"])
            return
        }
        if !output.sentinels.isEmpty {
            metrics.sentinelsDropped.add(output.sentinels.count, ordering: .relaxed)
        }
        let before = decisions.count
        let registry = runtime.registry
        for var obs in output.observations {
            let index = registry.residentIndex(forDevice: obs.device)
            if index == nil {
                metrics.unregisteredObservations.add(1, ordering: .relaxed)
                switch obs {
                case .reading(var r):
                    r.flags.insert(.unregistered)
                    obs = .reading(r)
                case .event(var e):
                    e.flags.insert(.unregistered)
                    obs = .event(e)
                }
            }
            let ctx =
                index.map {
                    SubjectContext(
                        residentID: registry.residents[$0].id, thresholds: registry.residents[$0].thresholds,
                        homeZone: registry.residents[$0].homeZone)
                } ?? .unbound
            let key = ctx.residentID ?? "device:" + obs.device
            switch obs {
            case .reading(let r):
                pendingReadings.append(r)
                latest[key, default: LatestVitals()].note(r)
            case .event(let e):
                metrics.eventsReceived.add(1, ordering: .relaxed)
                pendingEventDevices.append((e.device, output.profile, e.receivedAt, index != nil))
            }
            engine.observe(obs, context: ctx, into: &decisions)
        }
        if pendingOldestReceivedAt == nil, !output.observations.isEmpty { pendingOldestReceivedAt = m.receivedAt }
        if decisions.count > before {
            // Alerts are committed at once, emergencies with their outbox row, before the next message.
            let emergency = decisions[before...].contains { $0.toHotline }
            commit(now: clock.now())
            if emergency {
                metrics.emergencyCommitWindow.record(seconds: Double(clock.now() - m.receivedAt) / 1000)
            }
        }
    }

    /// Writes pending readings, alert decisions and changed rule state in one transaction.
    func commit(now: EpochMillis) {
        guard !pendingReadings.isEmpty || !decisions.isEmpty || !pendingEventDevices.isEmpty else {
            pendingOldestReceivedAt = nil
            return
        }
        guard now >= retryCommitAfter else { return }
        var changed: [String] = []
        var incidents = 0
        var stored = 0
        // An emergency's outbox row needs a durable (synchronous=FULL) commit.
        let durable = decisions.contains { $0.toHotline }
        do {
            try store.inTransaction(durable: durable) {
                for r in pendingReadings where try store.appendReading(r) { stored += 1 }
                for e in pendingEventDevices {
                    try store.noteDevice(e.device, profile: e.profile, seenAt: e.at, registered: e.registered)
                }
                notices = 0
                for d in decisions {
                    if try apply(d, now: now) { incidents += 1 }
                    changed.append(d.alertID)
                }
                for (key, blob) in engine.drainChangedState() { try store.saveRuleState(key: key, blob: blob) }
            }
        } catch {
            retryCommitAfter = now + 500
            if now - lastCommitErrorLog >= 10_000 {
                lastCommitErrorLog = now
                logger.error(
                    "commit failed; alerts and readings are kept in memory and retried",
                    metadata: ["error": "\(error)", "pending_readings": "\(pendingReadings.count)"])
            }
            if pendingReadings.count > Self.maxPendingReadings {
                let shed = pendingReadings.count - Self.maxPendingReadings
                pendingReadings.removeFirst(shed)
                metrics.readingsShed.add(shed, ordering: .relaxed)
            }
            return
        }
        metrics.readingsStored.add(stored, ordering: .relaxed)
        if let oldest = pendingOldestReceivedAt {
            metrics.commitWindow.record(seconds: Double(clock.now() - oldest) / 1000)
        }
        pendingReadings.removeAll(keepingCapacity: true)
        pendingEventDevices.removeAll(keepingCapacity: true)
        pendingOldestReceivedAt = nil
        decisions.removeAll(keepingCapacity: true)
        if incidents > 0 || notices > 0 { onIncidentQueued() }
        notices = 0
        if !changed.isEmpty { onAlertsChanged(changed) }
    }

    // MARK: staff commands and reload

    private func serviceInbox() {
        let (cmds, reload) = inbox.withLock {
            box -> ([(StaffCommand, CheckedContinuation<StaffCommandResult, Never>)], RuntimeSet?) in
            let c = box.commands
            let r = box.reload
            box.commands.removeAll()
            box.reload = nil
            return (c, r)
        }
        if let reload {
            runtime = reload
            engine.replace(rules: reload.rules)
            metrics.reloads.add(1, ordering: .relaxed)
            logger.info(
                "reloaded profiles, rules and registry",
                metadata: [
                    "profiles": "\(reload.profiles.profileIDs.count)",
                    "residents": "\(reload.registry.residents.count)",
                ])
        }
        for (cmd, cont) in cmds { cont.resume(returning: execute(cmd)) }
    }

}

/// Alert ids: time-ordered, unique within a gateway.
enum AlertIDs {
    private static let counter = Atomic<Int>(0)
    private static let prefix: String = {
        var g = SystemRandomNumberGenerator()
        return String(UInt32.random(in: 0...UInt32.max, using: &g), radix: 36)
    }()
    @Sendable static func make() -> String {
        let ms = EpochMillis((Date().timeIntervalSince1970 * 1000).rounded())
        let n = counter.add(1, ordering: .relaxed).newValue
        return "A" + String(ms, radix: 36).uppercased() + "-" + prefix.uppercased() + String(n, radix: 36).uppercased()
    }
}
