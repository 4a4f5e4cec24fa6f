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
    /// When the oldest pending reading was received, on the monotonic clock (``Pipeline/monotonicNow()``),
    /// so a step of the system clock never holds a batch back or commits it early.
    private var pendingOldestReceivedAt: EpochMillis?
    private var decisions: [Decision] = []
    /// An alert's commit in this loop turn left due progress unsaved; the turn commits it after its batch.
    private var sweepPostponed = false
    /// Latest vitals of each resident, for incidents, by the resident's index in `runtime.registry` (no
    /// hashing per reading; moved to the new indices on a reload).
    var latest: [LatestVitals]
    /// Where the values of `latest` and `latestUnbound` are.
    let latestPool = LatestPool()
    /// Latest vitals of devices bound to no resident, by device id; bounded (cleared when full).
    var latestUnbound: [String: LatestVitals] = [:]
    static let maxLatestUnbound = 10_000
    /// Readings per device per second past which they are shed (events never are).
    private var floodGuard: DeviceFloodGuard
    /// Repeats of timestamp-less messages (QoS 1 redeliveries).
    private var redeliveries = RedeliveryFilter()
    /// Monotonic time of the current loop turn.
    private var loopMonotonic: EpochMillis = 0
    private var lastFloodLog: EpochMillis = 0
    /// The last engine tick, monotonic time.
    private var lastTick: EpochMillis = 0
    private var clockSteps = ClockStepDetector()
    private lazy var commitAfterMs = EpochMillis(max(1, config.storage.batchIntervalMs * 4 / 5 - 10))
    /// After a failed commit (disk full, I/O error) readings are tried again from this monotonic time,
    /// so a broken disk is not hammered every loop; they stay in memory meanwhile.
    private var retryCommitAfter: EpochMillis = 0
    private var lastCommitErrorLog: EpochMillis = 0
    /// Readings held in memory at most while commits fail; older ones are shed (counted).
    static let maxPendingReadings = 500_000
    /// The bound while the database is full: space may not come back soon.
    static let maxPendingReadingsWhenFull = 100_000
    /// Readings per transaction while catching up after storage trouble.
    static let recoveryChunk = 5_000
    /// Room for rule-state keys kept between commits.
    static let keptStateCapacity = 16_384
    /// Rule state drained from the engine and not yet committed.
    private var pendingState: [String: [UInt8]?] = [:]
    /// Why storage is failing, nil while commits succeed.
    private var storageTrouble: StorageTrouble?

    // Shared with other threads.
    private let inbox = Mutex<Inbox>(Inbox())
    private let stopRequested = Atomic<Bool>(false)
    private let finished = Mutex<Bool>(false)
    private var thread: Thread?
    private let doneSemaphore = DispatchSemaphore(value: 0)
    /// Moves the readings this pipeline stages into the history table and checkpoints the WAL; nil
    /// (tests): readings stay staged, and nothing checkpoints but a clean close.
    let folder: ReadingFolder?

    struct Inbox {
        var commands: [(StaffCommand, CheckedContinuation<StaffCommandResult, Never>)] = []
        var reload: RuntimeSet?
    }

    public init(
        config: GatewayConfig, runtime: RuntimeSet, store: Store, handoff: MessageHandoff,
        metrics: GatewayMetrics, clock: any WallClock, logger: Logger, foldStore: Store? = nil,
        restoredState: RestoredRuleState? = nil,
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
        latest = Array(repeating: LatestVitals(), count: runtime.registry.residents.count)
        folder = foldStore.map { ReadingFolder(store: $0, metrics: metrics, logger: logger) }
        engine = RuleEngine(rules: runtime.rules, utcOffsetSeconds: config.utcOffsetSeconds, idGenerator: AlertIDs.make)
        if let restoredState {
            engine.restore(restoredState)
        } else {
            engine.restoreState((try? store.loadRuleState()) ?? [:])
        }
        let held = engine.stateCounts
        logger.info(
            "rule state restored",
            metadata: [
                "subjects": "\(held.subjects)", "devices": "\(held.devices)", "open_alerts": "\(held.alerts)",
                "read_ahead": "\(restoredState != nil)",
            ])
        silences = SilenceBook((try? store.silencesInForce(at: clock.now())) ?? [])
        pendingReadings.reserveCapacity(4096)
        let rate = config.storage.deviceReadingsPerSecond
        floodGuard =
            rate > 0
            ? DeviceFloodGuard(ratePerSecond: Double(rate), burst: Double(rate) * 100)
            : DeviceFloodGuard(ratePerSecond: .infinity, burst: .infinity)
    }

    // MARK: control from other threads

    public func start() {
        let t = Thread { [self] in
            ThreadTuning.nameCurrentThread("anxin-pipeline")
            run()
            doneSemaphore.signal()
        }
        t.name = "anxin-pipeline"
        t.stackSize = 4 << 20
        thread = t
        t.start()
        folder?.start()
    }

    /// Asks the loop to drain what is in hand, commit and end; waits for it, then for the folder to
    /// fold what is staged.
    public func stopAndWait() {
        stopRequested.store(true, ordering: .releasing)
        let already = finished.withLock { $0 }
        if !already, thread != nil { doneSemaphore.wait() }
        folder?.stopAndWait()
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
            if !stopping { waitForFolder() }
            batch = handoff.popBatch(max: 512, timeoutMs: stopping ? 0 : 10)
            loopMonotonic = Self.monotonicNow()
            for m in batch { handle(m) }
            if sweepPostponed {
                sweepPostponed = false
                if engine.hasDeferredState(dueAt: Self.monotonicNow(), lazyWithin: Self.progressSavedWithinMs) {
                    commit(now: clock.now())
                }
            }
            let mono = Self.monotonicNow()
            if mono - lastTick >= 1000 {
                let now = clock.now()
                noticeClockStep(wall: now, monotonic: mono)
                lastTick = mono
                engine.tick(now: now, connected: isConnected(), into: &decisions)
                if !decisions.isEmpty || engine.hasDeferredState(dueAt: mono, lazyWithin: Self.progressSavedWithinMs) {
                    commit(now: now)
                }
            }
            serviceInbox()
            // A city's waiting rule state falls due in slices (`StateSaving.maxSavesPerDrain`): the next
            // slice goes with the next loop.
            if engine.stateSweepUnderWay { commit(now: clock.now()) }
            // Commit early enough that the oldest reading waits at most the batch interval,
            // allowing for the loop's 10 ms wake-up and the commit itself.
            if let oldest = pendingOldestReceivedAt, Self.monotonicNow() - oldest >= commitAfterMs {
                commit(now: clock.now())
            }
            if stopping && batch.isEmpty {
                commit(now: clock.now(), all: true)
                serviceInbox()
                finished.withLock { $0 = true }
                return
            }
        }
    }

    private func handle(_ m: InboundMessage) {
        // Oversize messages never get here: the ingest counts and drops them without a copy.
        metrics.messagesReceived.add(1, ordering: .relaxed)
        let profiles = runtime.profiles
        if let failure = m.withBytes({ topic, payload in
            profiles.decode(topicBytes: topic, payload: payload, receivedAt: m.receivedAt, into: &output)
        }) {
            metrics.countRejected(failure.reason)
            logger.debug(
                "message rejected", metadata: ["reason": "\(failure.reason.rawValue)", "detail": "\(failure.message)"])
            return
        }
        if let first = output.observations.first, first.stampedOnReceipt,
            m.withBytes({ topic, payload in
                redeliveries.isRepeat(device: first.device, topic: topic, payload: payload, now: loopMonotonic)
            })
        {
            metrics.messagesRepeated.add(1, ordering: .relaxed)
            return
        }
        if !output.sentinels.isEmpty {
            metrics.sentinelsDropped.add(output.sentinels.count, ordering: .relaxed)
        }
        let before = decisions.count
        let registry = runtime.registry
        // A message's observations are usually of one device: it is looked up once, and a bound device's
        // observations are judged in one call (a wristband's batch upload visits its resident once).
        var device: String?
        var index: Int?
        // The device's position in the registry, for its flood bucket.
        var position = 0
        var ctx = SubjectContext.unbound
        // Where the observations of `device` not yet judged start; judged when the device changes, a
        // reading is shed, or the message ends.
        var unjudged: Int?
        func judgeUnjudged(upTo end: Int) {
            guard let from = unjudged else { return }
            engine.observe(output.observations[from..<end], context: ctx, into: &decisions)
            unjudged = nil
        }
        for i in output.observations.indices {
            var obs = output.observations[i]
            if obs.device != device {
                judgeUnjudged(upTo: i)
                device = obs.device
                let binding = registry.binding(forDevice: obs.device)
                index = binding?.residentIndex
                position = binding?.position ?? 0
                ctx =
                    index.map {
                        SubjectContext(
                            residentID: registry.residents.ids[$0], thresholds: registry.residents.thresholds(at: $0),
                            homeZone: registry.residents.homeZone(at: $0))
                    } ?? .unbound
            }
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
            switch obs {
            case .reading(let r):
                let admitted =
                    index != nil
                    ? floodGuard.admit(registered: position, of: registry.bindings.count, now: loopMonotonic)
                    : floodGuard.admit(r.device, now: loopMonotonic)
                guard admitted else {
                    judgeUnjudged(upTo: i)
                    shedFlood(r.device)
                    continue
                }
                pendingReadings.append(r)
                if let index {
                    latest[index].note(r, in: latestPool)
                } else {
                    if latestUnbound.count >= Self.maxLatestUnbound && latestUnbound[r.device] == nil {
                        for var vitals in latestUnbound.values { vitals.release(to: latestPool) }
                        latestUnbound.removeAll(keepingCapacity: true)
                    }
                    latestUnbound[r.device, default: LatestVitals()].note(r, in: latestPool)
                }
            case .event(let e):
                metrics.eventsReceived.add(1, ordering: .relaxed)
                pendingEventDevices.append((e.device, output.profile, e.receivedAt, index != nil))
            }
            if index == nil {
                // Judged as flagged, one by one (an unbound device has no resident to visit).
                engine.observe(obs, context: ctx, into: &decisions)
            } else if unjudged == nil {
                unjudged = i
            }
        }
        judgeUnjudged(upTo: output.observations.endIndex)
        if pendingOldestReceivedAt == nil, !output.observations.isEmpty {
            // The time spent in the hand-off, carried over to the monotonic clock.
            pendingOldestReceivedAt = Self.monotonicNow() - max(0, clock.now() - m.receivedAt)
        }
        if decisions.count > before {
            // Alerts are committed at once, emergencies with their outbox row, before the next message.
            // Progress due to be saved waits for the commit after the loop's batch: with 10,000 devices
            // a sweep's 4,096 rows of it had held an emergency's commit up to ~100 ms (BENCHMARKS.md).
            let emergency = decisions[before...].contains { $0.toHotline }
            commit(now: clock.now(), sweep: false)
            sweepPostponed = true
            if emergency {
                metrics.emergencyCommitWindow.record(seconds: Double(max(0, clock.now() - m.receivedAt)) / 1000)
            }
        }
    }

    /// Writes pending readings, alert decisions and changed rule state in one transaction.
    ///
    /// When that fails (a full disk or database size cap, an I/O error), alerts must still flow: they
    /// are committed without the readings, if need be after releasing the store's reserve. Readings
    /// stay in memory and are retried every few seconds in chunks (so what fits is stored), but on a
    /// full store only once the reserve could be filled back, so they never eat the room kept for
    /// alerts. Past a bound the oldest are shed (counted).
    func commit(now: EpochMillis, all: Bool = false, sweep: Bool = true) {
        for (key, blob) in drainRuleState(all: all, sweep: sweep) { pendingState[key] = blob }
        guard !pendingReadings.isEmpty || !decisions.isEmpty || !pendingEventDevices.isEmpty || !pendingState.isEmpty
        else {
            pendingOldestReceivedAt = nil
            return
        }
        if storageTrouble == nil {
            do {
                try write(readings: pendingReadings.count, now: now)
                return
            } catch {
                storageFailed(error, now: now)
            }
        }
        // Storage is in trouble: alerts first, on their own, at once, with only their subjects' state; the
        // rest goes with the readings' retries. Only alerts may spend the reserve.
        let retryDue = Self.monotonicNow() >= retryCommitAfter
        if !decisions.isEmpty {
            do {
                try write(readings: 0, alertsOnly: true, now: now)
            } catch {
                var failure = error
                if store.releaseReserve() {
                    logger.warning("storage full: released the reserve for alerts")
                    do {
                        try write(readings: 0, alertsOnly: true, now: now)
                    } catch let again {
                        failure = again
                    }
                }
                storageFailed(failure, now: now)
            }
        }
        guard !pendingReadings.isEmpty, retryDue else { return }
        if storageTrouble == .full, !store.refillReserve() {
            retryCommitAfter = Self.monotonicNow() + 5000
            return
        }
        do {
            while !pendingReadings.isEmpty {
                try write(readings: min(pendingReadings.count, Self.recoveryChunk), now: now)
            }
            storageRecovered()
        } catch {
            storageFailed(error, now: now)
        }
    }

    /// One transaction: the first `readings` pending readings, devices heard through events, decisions
    /// and rule state.
    ///
    /// `alertsOnly`: the decisions and the rule state of their subjects only (the rest stays pending),
    /// so alerts committed into the reserve take as little of it as they can.
    private func write(readings count: Int, alertsOnly: Bool = false, now: EpochMillis) throws {
        var changed: [String] = []
        var incidents = 0
        var stored = 0
        // An emergency's outbox row needs a durable (synchronous=FULL) commit.
        let durable = decisions.contains { $0.toHotline }
        var stateKeys: [String] = []
        if alertsOnly {
            var keys: Set<String> = ["engine"]
            for d in decisions {
                keys.insert("subject:" + (d.residentID ?? "device:" + d.device))
                keys.insert("subject:gateway")
            }
            stateKeys = keys.filter { pendingState[$0] != nil }.sorted()
        } else {
            stateKeys = Array(pendingState.keys)
        }
        try store.inTransaction(durable: durable) {
            stored = try store.stageReadings(pendingReadings[..<count])
            let alertDevices = alertsOnly ? Set(decisions.map(\.device)) : []
            for e in pendingEventDevices where !alertsOnly || alertDevices.contains(e.device) {
                try store.noteDevice(e.device, profile: e.profile, seenAt: e.at, registered: e.registered)
            }
            notices = 0
            for d in decisions {
                if try apply(d, now: now) { incidents += 1 }
                changed.append(d.alertID)
            }
            for key in stateKeys { try store.saveRuleState(key: key, blob: pendingState[key] ?? nil) }
        }
        if count > 0 {
            metrics.readingsStored.add(stored, ordering: .relaxed)
            if count == pendingReadings.count {
                if let oldest = pendingOldestReceivedAt {
                    metrics.commitWindow.record(seconds: Double(max(0, Self.monotonicNow() - oldest)) / 1000)
                }
                pendingReadings.removeAll(keepingCapacity: true)
                pendingOldestReceivedAt = nil
            } else {
                pendingReadings.removeFirst(count)
            }
        }
        if alertsOnly {
            for key in stateKeys { pendingState.removeValue(forKey: key) }
        } else {
            // A city's devices first heard together save every new subject at once: the table of state to
            // write then held 200,000 keys, and kept their room for good (12.6 MB, heaptrack after the
            // burst of `Scripts/bench-scale.sh`). Its room is kept only up to a usual commit's size.
            pendingState.removeAll(keepingCapacity: pendingState.capacity <= Self.keptStateCapacity)
            pendingEventDevices.removeAll(keepingCapacity: true)
        }
        decisions.removeAll(keepingCapacity: true)
        if incidents > 0 || notices > 0 { onIncidentQueued() }
        notices = 0
        if !changed.isEmpty { onAlertsChanged(changed) }
    }

    /// Staged readings the folder may fall behind by before the pipeline stops taking messages until it
    /// catches up: about 1,000,000 staged packs (~50 MB), which staff queries scan whole. Messages queue
    /// in the hand-off and then in the broker meanwhile (TCP back-pressure), as when the pipeline itself
    /// is too slow. Twice the folder's largest fold (`ReadingFolder.maxRows`), whose readings count as
    /// behind until written, so the pipeline keeps taking messages while a large fold runs.
    static let maxFoldBehindRows = 4_000_000

    /// Waits, 5 ms at a time, up to 200 ms per loop turn, while the folder is too far behind.
    private func waitForFolder() {
        guard folder != nil, storageTrouble == nil else { return }
        var waited = 0
        while metrics.foldBehind.load(ordering: .relaxed) > Self.maxFoldBehindRows, waited < 200,
            !stopRequested.load(ordering: .acquiring)
        {
            if waited == 0 { metrics.foldWaits.add(1, ordering: .relaxed) }
            usleep(5000)
            waited += 5
        }
    }

    /// Readings could not be committed: say why (once in a while), keep them for the next try and
    /// shed the oldest past the bound.
    private func storageFailed(_ error: any Error, now: EpochMillis) {
        let full = (error as? SQLiteError)?.code == SQLiteError.full
        let reason = full ? StorageTrouble.full : .failing
        // No fold step or checkpoint from here on while full (before the reserve may be released).
        if full { folder?.pause() }
        if storageTrouble != reason {
            storageTrouble = reason
            metrics.storageTrouble.store(reason.rawValue, ordering: .relaxed)
        }
        retryCommitAfter = Self.monotonicNow() + (full ? 5000 : 500)
        if Self.monotonicNow() - lastCommitErrorLog >= 10_000 || lastCommitErrorLog == 0 {
            lastCommitErrorLog = Self.monotonicNow()
            logger.error(
                full
                    ? "database full: alerts are still committed; readings are kept in memory, then shed"
                    : "commit failed; alerts and readings are kept in memory and retried",
                metadata: ["error": "\(error)", "pending_readings": "\(pendingReadings.count)"])
        }
        let bound = full ? Self.maxPendingReadingsWhenFull : Self.maxPendingReadings
        if pendingReadings.count > bound {
            let shed = pendingReadings.count - bound
            pendingReadings.removeFirst(shed)
            if full {
                metrics.readingsShedFull.add(shed, ordering: .relaxed)
            } else {
                metrics.readingsShed.add(shed, ordering: .relaxed)
            }
        }
    }

    /// Readings commit again: clear the alarm and fill the reserve back.
    private func storageRecovered() {
        storageTrouble = nil
        metrics.storageTrouble.store(0, ordering: .relaxed)
        folder?.resume()
        retryCommitAfter = 0
        let refilled = store.refillReserve()
        logger.notice("storage has room again; readings are committed", metadata: ["reserve_full": "\(refilled)"])
    }

    /// A reading shed by the flood guard: counted, and logged at most once a minute.
    private func shedFlood(_ device: String) {
        metrics.readingsShedFlood.add(1, ordering: .relaxed)
        if loopMonotonic - lastFloodLog >= 60_000 || lastFloodLog == 0 {
            lastFloodLog = loopMonotonic
            logger.warning(
                "device sends far more readings than any device should; shedding its excess readings (events are kept)",
                metadata: [
                    "device": "\(device)", "readings_per_second_allowed": "\(Int(floodGuard.ratePerSecond))",
                ])
        }
    }

    /// Rule state whose change is progress only (a device heard, a run extended) is saved within this
    /// long; alerts, runs starting and the like are saved with the commit that changed them.
    static let progressSavedWithinMs: EpochMillis = 10_000

    /// The rule state to save now: everything when stopping, else what matters at once and progress due
    /// (unless `sweep` is false: an alert's commit leaves due progress to the commit after it).
    func drainRuleState(all: Bool = false, sweep: Bool = true) -> [(key: String, blob: [UInt8]?)] {
        all
            ? engine.drainChangedState()
            : engine.drainChangedState(
                monotonicNow: Self.monotonicNow(), lazyWithin: Self.progressSavedWithinMs, sweep: sweep)
    }

    /// Milliseconds on the monotonic clock (never stepped, counts from boot).
    static func monotonicNow() -> EpochMillis { ClockStepDetector.monotonicNow() }

    /// A step of the system clock since the last tick is passed to the engine, so its timers keep
    /// the time they had left.
    private func noticeClockStep(wall: EpochMillis, monotonic: EpochMillis) {
        guard let step = clockSteps.look(wall: wall, monotonic: monotonic) else { return }
        engine.clockJumped(by: step)
        metrics.clockSteps.add(1, ordering: .relaxed)
        logger.warning(
            "system clock stepped; timers keep the time they had left", metadata: ["step_ms": "\(step)"])
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
            latest = Self.moveLatest(latest, from: runtime.registry, to: reload.registry, pool: latestPool)
            floodGuard.registryChanged(from: runtime.registry, to: reload.registry)
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

extension Pipeline {
    /// Residents' latest vitals at their indices in `new`: a resident still registered keeps them, a new
    /// one starts empty, and the values of one no longer registered go back to `pool`.
    static func moveLatest(
        _ latest: [LatestVitals], from old: RegistrySnapshot, to new: RegistrySnapshot, pool: LatestPool
    ) -> [LatestVitals] {
        var moved = Array(repeating: LatestVitals(), count: new.residents.count)
        for (i, var vitals) in latest.enumerated() where !vitals.isEmpty {
            if i < old.residents.count, let j = new.residentIndex[old.residents.ids[i]] {
                moved[j] = vitals
            } else {
                vitals.release(to: pool)
            }
        }
        return moved
    }
}

/// Why the pipeline cannot commit readings, for `/healthz` and the metrics (0: no trouble).
enum StorageTrouble: Int, Sendable {
    /// `SQLITE_FULL`: the disk or the database size cap (`storage.max_size_mb`).
    case full = 1
    /// Any other failure (I/O error, a lock held too long).
    case failing = 2
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

extension Observation {
    /// Stamped with the receive time: the shape carries no time of its own.
    var stampedOnReceipt: Bool {
        switch self {
        case .reading(let r): r.flags.contains(.receiveTime)
        case .event(let e): e.flags.contains(.receiveTime)
        }
    }
}
