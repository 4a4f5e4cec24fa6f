import AnxinCore
import Delivery
import Foundation
import Ingest
import Logging
import Registry
import ServiceLifecycle
import StaffAPI
import Store
import Synchronization
import UnixSignals

/// Builds every part from a configuration and runs them as one `ServiceGroup`:
/// pipeline (with MQTT ingest), hotline dispatcher, staff API, then systemd notification.
/// Shutdown runs in reverse: the API stops, then the dispatcher, then ingest stops taking
/// messages and the pipeline commits what it holds.
public final class GatewayApp: Sendable {
    public let config: GatewayConfig
    public let metrics = GatewayMetrics()
    let logger: Logger
    let clock: any WallClock

    public init(config: GatewayConfig, logger: Logger, clock: any WallClock = SystemWallClock()) {
        self.config = config
        self.logger = logger
        self.clock = clock
    }

    /// Runs until SIGTERM or SIGINT. Throws a `ConfigError` when a file is invalid at start.
    public func run() async throws {
        let cacheDir = (config.databasePath as NSString).deletingLastPathComponent
        // The saved rule state is read on its own thread meanwhile (the two are a city's largest loads).
        let stateLoader = RuleStateLoader.start(path: config.databasePath)
        let runtime: RuntimeSet
        switch RuntimeSet.load(config: config, cacheDirectory: cacheDir, cacheInBackground: true) {
        case .success(let r): runtime = r
        case .failure(let e):
            _ = stateLoader?.wait()
            throw e
        }
        // Before any writer opens the database (a migration must not wait behind the loader's read).
        let loaded = stateLoader?.wait()
        if let failure = loaded?.failure {
            logger.notice("rule state to be read after the migrations", metadata: ["reason": "\(failure)"])
        }
        if let unreadable = loaded?.state?.unreadable, unreadable > 0 {
            logger.warning("unreadable rule state rows skipped", metadata: ["rows": "\(unreadable)"])
        }
        try GatewayApp.prepareStateDirectory(for: config.databasePath)
        let store = try Store(path: config.databasePath)
        // A device's last heard time in the table lags by at most 5 s (the staff pages show minutes).
        store.lastSeenSlackMs = 5_000
        let readStore = try Store(path: config.databasePath, readOnly: true)
        let outboxStore = try Store(path: config.databasePath)
        let staffStore = try Store(path: config.databasePath)
        for s in [store, outboxStore, staffStore] { try s.limitSize(pages: config.storage.maxPages) }
        // No commit checkpoints the WAL: the reading folder does, between its folds and only while
        // storage is healthy (a checkpoint grows the database, so on a full disk it would take the room
        // released for alerts), and the pipeline's commits never wait behind copying pages.
        for s in [store, outboxStore, staffStore] { try s.setAutoCheckpoint(pages: 0) }
        // A cache once filled stays filled for as long as the daemon runs. The pipeline's writes append
        // to the stage and touch one row per device or rule-state key, in no order a cache could serve
        // much better: 4 MiB holds the stage's tail and the b-trees' inner pages (a city's traffic took
        // 10 MB more resident with the 16 MiB default, BENCHMARKS.md). The others touch a few pages each.
        try store.limitCache(kib: 4096)
        for s in [outboxStore, staffStore] { try s.limitCache(kib: 2048) }
        // Room held back for alerts if the disk or the size cap is reached (released on SQLITE_FULL).
        store.refillReserve()
        let accounts = StaffAccounts(
            store: staffStore, clock: clock, bcryptCost: UInt8(config.http.passwordCost),
            sessionLifetime: .seconds(config.http.sessionHours * 3600))
        let access = StaffAccessSettings(
            anonymous: AnonymousAccess(rawValue: config.http.effectiveAnonymousRole) ?? .none,
            secureCookie: config.http.publicURL?.hasPrefix("https://") ?? false)

        let handoff = MessageHandoff(capacity: config.handoffCapacity)
        let state = LiveState()
        let logger = self.logger
        let ingestSettings = try mqttSettings(topicFilters: runtime.profiles.topicFilters)
        let ingest = MQTTIngest(
            settings: ingestSettings, handoff: handoff, clock: clock,
            onEvent: { event in
                switch event {
                case .connected(let present):
                    state.connected.store(true, ordering: .relaxed)
                    logger.info("connected to broker", metadata: ["session_present": "\(present)"])
                case .subscribed:
                    logger.info("subscriptions acknowledged")
                case .disconnected(let reason):
                    state.connected.store(false, ordering: .relaxed)
                    logger.warning("disconnected from broker", metadata: ["reason": "\(reason)"])
                case .error(let message):
                    logger.error("mqtt error", metadata: ["error": "\(message)"])
                }
            })
        let hub = AlertEventHub()
        let views = AlertViews(store: readStore, registry: runtime.registry, utcOffsetSeconds: config.utcOffsetSeconds)
        let outbox = OutboxMonitor(store: outboxStore, metrics: metrics, clock: clock)
        let hotline = try hotlineSettings()
        let dispatcher = OutboxDispatcher(
            outbox: StoreDeliveryOutbox(store: outboxStore, onChange: { outbox.refreshMetrics() }),
            transports: try deliveryTransports(hotline: hotline, mqtt: ingestSettings),
            settings: hotline.map(DispatcherSettings.init) ?? DispatcherSettings(), clock: clock, logger: logger,
            watchClockSteps: clock is SystemWallClock,
            onOutcome: { [metrics] outcome, item in
                metrics.countDelivery(outcome.rawValue)
                let meta: Logger.Metadata = [
                    "outbox": "\(item.id)", "channel": "\(item.channel)", "attempt": "\(item.attempts + 1)",
                ]
                switch outcome {
                case .accepted, .duplicate: logger.info("delivered (\(outcome.rawValue))", metadata: meta)
                case .retry: logger.warning("delivery will be retried", metadata: meta)
                case .rejected:
                    logger.error("delivery rejected; kept for `anxin outbox requeue`", metadata: meta)
                }
            })
        // The reading folder's own connection; it checkpoints by hand, never on commit.
        let foldStore = try Store(path: config.databasePath)
        try foldStore.limitSize(pages: config.storage.maxPages)
        try foldStore.setAutoCheckpoint(pages: 0)
        // The folder reads the stage once, in order, and walks the history's blocks in key order: a
        // small cache serves it as well as a large one (heaptrack: 16 MiB of the peak with the default).
        try foldStore.limitCache(kib: 4096)
        let pipeline = Pipeline(
            config: config, runtime: runtime, store: store, handoff: handoff, metrics: metrics, clock: clock,
            logger: logger, foldStore: foldStore, restoredState: loaded?.state,
            isConnected: { state.connected.load(ordering: .relaxed) },
            onIncidentQueued: { dispatcher.wake() },
            onAlertsChanged: { ids in
                for id in ids { if let v = views.view(alertID: id) { hub.publish(v) } }
            })
        let source = StaffData(
            views: views, pipeline: pipeline, metrics: metrics, store: readStore, outbox: outbox, clock: clock,
            ingest: ingest, onRequeue: { dispatcher.wake() })
        let staff = StaffServer(
            host: config.http.host, port: config.http.port, source: source, accounts: accounts, access: access,
            events: hub, logger: logger,
            onListening: { port in
                state.httpPort.store(port, ordering: .relaxed)
                logger.info("staff API listening", metadata: ["port": "\(port)"])
            })
        let notifier = SystemdNotifier()
        var services: [any Service] = [
            PipelineService(pipeline: pipeline, ingest: ingest, logger: logger),
            dispatcher,
        ]
        if let hotline, let beatURL = config.hotline.effectiveHeartbeatURL {
            services.append(
                HotlineHeartbeat(
                    url: beatURL, gatewayID: config.gatewayID, secret: hotline.secret,
                    interval: .seconds(config.hotline.heartbeatSeconds), timeout: hotline.timeout,
                    utcOffsetSeconds: config.utcOffsetSeconds, clock: clock, logger: logger,
                    report: { [metrics] in
                        let connected = state.connected.load(ordering: .relaxed)
                        let depth = metrics.outboxDepth.load(ordering: .relaxed)
                        let oldest = metrics.outboxOldestAgeMs.load(ordering: .relaxed)
                        return HeartbeatReport(
                            healthy: connected, mqttConnected: connected, outboxDepth: depth,
                            oldestPendingAgeSeconds: oldest < 0 ? 0 : Double(oldest) / 1000)
                    }))
        }
        let retentionStore = try Store(path: config.databasePath)
        try retentionStore.setAutoCheckpoint(pages: 0)
        // Its daily pass walks every device's history once: a small cache does as well, and 16 MiB
        // filled by it would stay resident until the next restart.
        try retentionStore.limitCache(kib: 2048)
        services.append(
            RetentionService(
                store: retentionStore, retentionDays: config.storage.retentionDays, clock: clock, logger: logger))
        services += [
            staff,
            LifecycleService(
                app: self, notifier: notifier, ingest: ingest, pipeline: pipeline, views: views, state: state,
                metrics: metrics, logger: logger, cacheDirectory: cacheDir),
        ]
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        // Every service has ended: close the connections, so the last one checkpoints the WAL into the
        // database and removes anxin.db-wal / -shm (left behind, they are not garbage: deleting them by
        // hand would lose the last commits).
        for s in [retentionStore, foldStore, staffStore, outboxStore, readStore, store] { s.close() }
        // A registry cache still being written (a stop soon after a start or a reload) is finished,
        // so that the next start does not parse the registry again.
        RegistryLoader.finishCacheWrites()
        notifier.notify("STOPPING=1")
        logger.info("stopped")
    }

    func mqttSettings(topicFilters: [String]) throws -> MQTTSettings {
        var password: String?
        if let f = config.mqtt.passwordFile { password = try GatewayApp.readSecret(f, what: "mqtt.password_file") }
        let tls = config.mqtt.tls.map {
            TLSSettings(
                caFile: $0.caFile ?? "/etc/ssl/certs/ca-certificates.crt", certFile: $0.certFile, keyFile: $0.keyFile)
        }
        return MQTTSettings(
            host: config.mqtt.host, port: config.mqtt.port, clientID: config.clientID, username: config.mqtt.username,
            password: password, tls: tls, keepAlive: config.mqtt.keepAliveSeconds,
            receiveMaximum: config.mqtt.receiveMaximum, qos: config.mqtt.qos, topicFilters: topicFilters,
            maxPayload: config.mqtt.maxPayload)
    }

    func hotlineSettings() throws -> HotlineSettings? {
        guard let url = config.hotline.url else { return nil }
        var secret: [UInt8]?
        if let f = config.hotline.secretFile {
            secret = Array(try GatewayApp.readSecret(f, what: "hotline.secret_file").utf8)
        }
        return HotlineSettings(
            url: url, secret: secret, timeout: .seconds(config.hotline.timeoutSeconds),
            updatesURL: config.hotline.updatesURL)
    }

    /// One transport per outbox channel: the hotline (when configured) and every staff channel.
    /// A channel without a transport keeps its rows pending, never loses them.
    func deliveryTransports(hotline: HotlineSettings?, mqtt: MQTTSettings) throws -> [String: any DeliveryTransport] {
        var out: [String: any DeliveryTransport] = [:]
        if let hotline { out[OutboxItem.hotline] = HotlineTransport(settings: hotline, clock: clock) }
        for (name, ch) in config.notify.channels {
            let what = "notify.channels.\(name)"
            let url = try ch.urlFile.map { try GatewayApp.readSecret($0, what: what + ".url_file") } ?? ch.url
            let secret = try ch.secretFile.map { try GatewayApp.readSecret($0, what: what + ".secret_file") }
            switch ch.kind {
            case .wecom: if let url { out[name] = WeComTransport(url: url, clock: clock) }
            case .dingtalk: if let url { out[name] = DingTalkTransport(url: url, secret: secret, clock: clock) }
            case .webhook:
                if let url {
                    out[name] = WebhookTransport(url: url, secret: secret.map { Array($0.utf8) }, clock: clock)
                }
            case .mqtt:
                if let topic = ch.topic { out[name] = MQTTNoticeTransport(channel: name, topic: topic, settings: mqtt) }
            }
        }
        return out
    }

    /// Reads a secret file, without its trailing newline. The secret never reaches a log line.
    static func readSecret(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), var s = String(data: data, encoding: .utf8) else {
            throw ConfigError([ConfigProblem(path: path, line: 0, message: "\(what): cannot read the secret file")])
        }
        while s.last == "\n" || s.last == "\r" { s.removeLast() }
        return s
    }

    /// Creates the database folder 0700 when it does not exist.
    static func prepareStateDirectory(for dbPath: String) throws {
        let dir = (dbPath as NSString).deletingLastPathComponent
        guard !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) else { return }
        try FileManager.default.createDirectory(
            atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}

/// Flags several services read.
final class LiveState: Sendable {
    let connected = Atomic<Bool>(false)
    let httpPort = Atomic<Int>(-1)
}
