import AnxinCore
import Foundation
import Ingest
import Logging
import ServiceLifecycle
import UnixSignals

/// Tells systemd when the gateway is truly ready, pings the watchdog only while the pipeline
/// moves, reloads on SIGHUP (all files or none) and refreshes slow-changing gauges.
struct LifecycleService: Service {
    let app: GatewayApp
    let notifier: SystemdNotifier
    let ingest: MQTTIngest
    let pipeline: Pipeline
    let views: AlertViews
    let state: LiveState
    let metrics: GatewayMetrics
    let logger: Logger
    let cacheDirectory: String

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { await reload() }
                }
                group.addTask { await supervise() }
                await group.next()
                group.cancelAll()
            }
        }
        notifier.notify("STOPPING=1\nSTATUS=stopping")
    }

    /// READY=1 once the database is open (the pipeline exists), subscriptions are acknowledged
    /// and the HTTP listener is up; then the watchdog loop.
    private func supervise() async {
        while !Task.isCancelled {
            if ingest.subscriptionsAcknowledged && state.httpPort.load(ordering: .relaxed) >= 0 { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard !Task.isCancelled else { return }
        notifier.notify(
            "READY=1\nSTATUS=ready: subscribed, database open, API on port \(state.httpPort.load(ordering: .relaxed))")
        logger.info("gateway ready: subscribed, database open, API listening")
        returnFreedMemory()
        var lastLoops = metrics.pipelineLoops.load(ordering: .relaxed)
        let pingEvery = notifier.watchdogInterval ?? .seconds(5)
        var sincePing: Duration = .zero
        let step: Duration = .milliseconds(250)
        while !Task.isCancelled {
            try? await Task.sleep(for: step)
            sincePing += step
            if sincePing >= pingEvery {
                sincePing = .zero
                let loops = metrics.pipelineLoops.load(ordering: .relaxed)
                if loops != lastLoops {
                    if notifier.watchdogInterval != nil { notifier.notify("WATCHDOG=1") }
                } else {
                    logger.critical("pipeline has not moved since the last watchdog check; not pinging")
                }
                lastLoops = loops
            }
        }
    }

    private func reload() async {
        let mono = UInt64(DispatchTime.now().uptimeNanoseconds / 1000)
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(mono)\nSTATUS=reloading")
        logger.info("reload requested")
        switch RuntimeSet.load(config: app.config, cacheDirectory: cacheDirectory, cacheInBackground: true) {
        case .success(let set):
            let applied = metrics.reloads.load(ordering: .acquiring)
            pipeline.reload(set)
            views.registry.withLock { $0 = set.registry }
            ingest.updateSubscriptions(set.profiles.topicFilters)
            // The pipeline lets go of the registry it replaces at its next loop: wait for that (at most
            // 2 s), so the memory given back below includes it (35 MB stayed resident otherwise).
            let deadline = ContinuousClock.now + .seconds(2)
            while metrics.reloads.load(ordering: .acquiring) == applied, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
        case .failure(let error):
            metrics.reloadFailures.add(1, ordering: .relaxed)
            for p in error.problems { logger.error("reload refused: \(p.description)") }
            logger.error("reload refused; the running profiles, rules and registry stay in force")
        }
        notifier.notify("READY=1\nSTATUS=ready")
        // After READY, as at the start: systemd is not kept waiting for it.
        returnFreedMemory()
    }
}
