import AnxinCore
import Foundation
import Synchronization

/// Counters and histograms of the gateway, exported as Prometheus text on `/metrics`.
/// Hot-path counters are lock-free atomics; labelled counters with open label sets
/// (rule, severity) change rarely and sit behind a mutex.
public final class GatewayMetrics: Sendable {
    public let messagesReceived = Atomic<Int>(0)
    public let sentinelsDropped = Atomic<Int>(0)
    public let readingsStored = Atomic<Int>(0)
    /// Staged readings merged into the history's blocks, and those dropped there as repeats (or purged).
    public let readingsFolded = Atomic<Int>(0)
    /// Rows of earlier versions (one per reading) moved into the history's blocks.
    public let readingsConverted = Atomic<Int>(0)
    public let readingsFoldRepeats = Atomic<Int>(0)
    /// Folds that failed (tried again at the next interval; the readings stay staged).
    public let foldFailures = Atomic<Int>(0)
    /// Staged rows the folder has still to write (as of its last step), and how many times the
    /// pipeline waited for it to catch up.
    public let foldBehind = Atomic<Int>(0)
    public let foldWaits = Atomic<Int>(0)
    /// Readings dropped from memory because the database could not take them for too long.
    public let readingsShed = Atomic<Int>(0)
    /// Readings dropped because the database or its disk was full.
    public let readingsShedFull = Atomic<Int>(0)
    /// Readings dropped from a device sending far more than any device should (its events never are).
    public let readingsShedFlood = Atomic<Int>(0)
    /// Why readings cannot be committed: 0 none, 1 full, 2 failing (`StorageTrouble`).
    public let storageTrouble = Atomic<Int>(0)
    /// Messages dropped as repeats of the device's previous timestamp-less message (QoS 1 redeliveries).
    public let messagesRepeated = Atomic<Int>(0)
    /// Steps of the system clock the pipeline noticed.
    public let clockSteps = Atomic<Int>(0)
    public let eventsReceived = Atomic<Int>(0)
    public let unregisteredObservations = Atomic<Int>(0)
    public let outboxDepth = Atomic<Int>(0)
    /// Milliseconds, -1 when the outbox is empty.
    public let outboxOldestAgeMs = Atomic<Int>(-1)
    public let pipelineLoops = Atomic<Int>(0)
    public let reloads = Atomic<Int>(0)
    public let reloadFailures = Atomic<Int>(0)
    /// Oversize messages the ingest dropped before the hand-off (it never copies them).
    public let ingestOversize = Atomic<Int>(0)
    let rejected: [AtomicCounter]
    let deliveries: [AtomicCounter]
    public let commitWindow = AtomicHistogram(
        bounds: [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.09, 0.1, 0.11, 0.125, 0.15, 0.25, 0.5, 1, 5])
    public let emergencyCommitWindow = AtomicHistogram(bounds: [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
    ])
    private let alertsOpened = Mutex<[String: Int]>([:])

    public static let deliveryOutcomes = ["accepted", "duplicate", "retry", "rejected"]

    public init() {
        rejected = RejectReason.allCases.map { _ in AtomicCounter() }
        deliveries = GatewayMetrics.deliveryOutcomes.map { _ in AtomicCounter() }
    }

    @inline(__always)
    public func countRejected(_ reason: RejectReason) {
        let i = RejectReason.allCases.firstIndex(of: reason)!
        rejected[i].add(1)
    }

    public func countDelivery(_ outcome: String) {
        if let i = GatewayMetrics.deliveryOutcomes.firstIndex(of: outcome) {
            deliveries[i].add(1)
        }
    }

    public func countAlertOpened(rule: String, severity: Severity) {
        alertsOpened.withLock { $0["rule=\"\(rule)\",severity=\"\(severity.name)\"", default: 0] += 1 }
    }

    /// Prometheus text exposition format 0.0.4.
    public func render() -> String {
        var out = ""
        func counter(_ name: String, _ help: String, _ v: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(v)\n"
        }
        func gauge(_ name: String, _ help: String, _ v: Double) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(JSONText.number(v))\n"
        }
        let oversize = ingestOversize.load(ordering: .relaxed)
        counter(
            "anxin_messages_received_total", "MQTT messages taken from the broker.",
            messagesReceived.load(ordering: .relaxed) + oversize)
        out +=
            "# HELP anxin_messages_rejected_total Messages rejected, by reason.\n# TYPE anxin_messages_rejected_total counter\n"
        for (i, r) in RejectReason.allCases.enumerated() {
            let extra = r == .tooLarge ? oversize : 0
            out += "anxin_messages_rejected_total{reason=\"\(r.rawValue)\"} \(rejected[i].load() + extra)\n"
        }
        counter(
            "anxin_sentinels_dropped_total", "Fields dropped because they held a not-measured sentinel.",
            sentinelsDropped.load(ordering: .relaxed))
        counter(
            "anxin_readings_stored_total", "Readings committed to the database.",
            readingsStored.load(ordering: .relaxed))
        counter(
            "anxin_readings_folded_total", "Staged readings merged into the history's blocks, sorted.",
            readingsFolded.load(ordering: .relaxed))
        counter(
            "anxin_readings_converted_total",
            "Readings stored by earlier versions (a row each) moved into the history's blocks, between folds.",
            readingsConverted.load(ordering: .relaxed))
        counter(
            "anxin_readings_fold_repeats_total",
            "Staged readings dropped when folded: repeats of a stored reading, or purged meanwhile.",
            readingsFoldRepeats.load(ordering: .relaxed))
        counter(
            "anxin_fold_failures_total", "Folds of staged readings that failed (tried again; nothing is lost).",
            foldFailures.load(ordering: .relaxed))
        gauge(
            "anxin_readings_fold_behind", "Staged readings the folder has still to move into the history table.",
            Double(foldBehind.load(ordering: .relaxed)))
        counter(
            "anxin_fold_waits_total",
            "Times the pipeline stopped taking messages until the folder caught up (the broker queued them).",
            foldWaits.load(ordering: .relaxed))
        out +=
            "# HELP anxin_readings_shed_total Readings dropped, by reason (alerts and events are never shed).\n# TYPE anxin_readings_shed_total counter\n"
        out += "anxin_readings_shed_total{reason=\"commit_failing\"} \(readingsShed.load(ordering: .relaxed))\n"
        out += "anxin_readings_shed_total{reason=\"database_full\"} \(readingsShedFull.load(ordering: .relaxed))\n"
        out += "anxin_readings_shed_total{reason=\"device_flood\"} \(readingsShedFlood.load(ordering: .relaxed))\n"
        gauge(
            "anxin_storage_full", "1 while the database or its disk is full (readings are being shed).",
            storageTrouble.load(ordering: .relaxed) == 1 ? 1 : 0)
        counter(
            "anxin_messages_repeated_total",
            "Timestamp-less messages dropped as byte-identical repeats of the device's previous one within 10 s.",
            messagesRepeated.load(ordering: .relaxed))
        counter(
            "anxin_clock_steps_total", "Steps of the system clock noticed against the monotonic clock.",
            clockSteps.load(ordering: .relaxed))
        counter("anxin_events_received_total", "Device events decoded.", eventsReceived.load(ordering: .relaxed))
        counter(
            "anxin_unregistered_observations_total", "Readings and events from devices bound to no resident.",
            unregisteredObservations.load(ordering: .relaxed))
        out +=
            "# HELP anxin_alerts_opened_total Alerts opened, by rule and severity.\n# TYPE anxin_alerts_opened_total counter\n"
        for (labels, v) in alertsOpened.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            out += "anxin_alerts_opened_total{\(labels)} \(v)\n"
        }
        gauge(
            "anxin_outbox_depth", "Incidents not yet accepted by the hotline (pending or rejected).",
            Double(outboxDepth.load(ordering: .relaxed)))
        let age = outboxOldestAgeMs.load(ordering: .relaxed)
        gauge(
            "anxin_outbox_oldest_age_seconds", "Age of the oldest undelivered incident.",
            age < 0 ? 0 : Double(age) / 1000)
        out +=
            "# HELP anxin_deliveries_total Hotline delivery attempts, by outcome.\n# TYPE anxin_deliveries_total counter\n"
        for (i, o) in GatewayMetrics.deliveryOutcomes.enumerated() {
            out += "anxin_deliveries_total{outcome=\"\(o)\"} \(deliveries[i].load())\n"
        }
        out += commitWindow.render(
            name: "anxin_commit_window_seconds",
            help: "From receipt of the oldest message of a committed batch to its commit.")
        out += emergencyCommitWindow.render(
            name: "anxin_emergency_commit_window_seconds",
            help: "From receipt of an emergency message to the commit of its alert and incident.")
        counter(
            "anxin_pipeline_loops_total", "Pipeline loop iterations (the watchdog's proof of progress).",
            pipelineLoops.load(ordering: .relaxed))
        counter("anxin_reloads_total", "Successful reloads.", reloads.load(ordering: .relaxed))
        counter(
            "anxin_reload_failures_total", "Reloads refused because a file was invalid.",
            reloadFailures.load(ordering: .relaxed))
        return out
    }
}

/// A fixed-bucket histogram of seconds with atomic counters.
public final class AtomicHistogram: Sendable {
    let bounds: [Double]
    let buckets: [AtomicCounter]
    let count = Atomic<Int>(0)
    /// Sum in microseconds.
    let sumMicros = Atomic<Int>(0)

    public init(bounds: [Double]) {
        self.bounds = bounds
        buckets = bounds.map { _ in AtomicCounter() }
    }

    public func record(seconds: Double) {
        for (i, b) in bounds.enumerated() where seconds <= b {
            buckets[i].add(1)
        }
        count.add(1, ordering: .relaxed)
        sumMicros.add(Int(max(0, seconds) * 1_000_000), ordering: .relaxed)
    }

    func render(name: String, help: String) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (i, b) in bounds.enumerated() {
            out += "\(name)_bucket{le=\"\(b)\"} \(buckets[i].load())\n"
        }
        let n = count.load(ordering: .relaxed)
        out += "\(name)_bucket{le=\"+Inf\"} \(n)\n"
        out += "\(name)_sum \(JSONText.number(Double(sumMicros.load(ordering: .relaxed)) / 1_000_000))\n"
        out += "\(name)_count \(n)\n"
        return out
    }
}

/// One atomic counter as a class, so counters can sit in arrays.
public final class AtomicCounter: Sendable {
    let value = Atomic<Int>(0)
    public init() {}
    @inline(__always) public func add(_ n: Int) { value.add(n, ordering: .relaxed) }
    @inline(__always) public func load() -> Int { value.load(ordering: .relaxed) }
}
