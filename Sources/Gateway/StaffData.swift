import AnxinCore
import Foundation
import Ingest
import StaffAPI
import Store

/// The staff API's data: reads from a read-only connection, staff actions through the
/// pipeline thread (which owns rule state and the write connection).
final class StaffData: StaffDataSource {
    let views: AlertViews
    let pipeline: Pipeline
    let metrics: GatewayMetrics
    let store: Store
    let outbox: StoreIncidentOutbox
    let clock: any WallClock
    let ingest: MQTTIngest

    init(
        views: AlertViews, pipeline: Pipeline, metrics: GatewayMetrics, store: Store, outbox: StoreIncidentOutbox,
        clock: any WallClock, ingest: MQTTIngest
    ) {
        self.views = views
        self.pipeline = pipeline
        self.metrics = metrics
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.ingest = ingest
    }

    func alerts(state: String?, limit: Int, before: String?) async throws -> [AlertView] {
        let s = state.flatMap(AlertState.init(rawValue:))
        return try store.alerts(state: s, limit: limit, before: before).map(views.view)
    }

    func acknowledge(alertID: String, by: String, note: String?) async throws -> StaffActionResult {
        try map(await pipeline.perform(.acknowledge(alertID: alertID, by: by, note: note)))
    }

    func resolve(alertID: String, by: String, note: String?) async throws -> StaffActionResult {
        try map(await pipeline.perform(.resolve(alertID: alertID, by: by, note: note)))
    }

    /// A staff action the database could not record (answered 500, never silently dropped).
    struct ActionNotRecorded: Error {}

    private func map(_ r: Pipeline.StaffCommandResult) throws -> StaffActionResult {
        switch r {
        case .ok(let rec): return .ok(views.view(rec))
        case .notFound: return .notFound
        case .alreadyResolved: return .alreadyResolved
        case .failed: throw ActionNotRecorded()
        }
    }

    func resident(id: String) async throws -> ResidentView? {
        guard let r = views.registry.withLock({ $0.resident(id: id) }) else { return nil }
        let devices = devicesOf(r)
        var vitals: [ReadingKind: LatestVital] = [:]
        for reading in try store.latestReadings(devices: devices, since: clock.now() - 7 * 86_400_000) {
            vitals[reading.kind] = LatestVital(value: reading.value, at: reading.measuredAt)
        }
        let open = try store.unresolvedAlerts(residentID: id).map(views.view)
        return ResidentView(resident: r, vitals: vitals, openAlerts: open)
    }

    func readings(residentID: String, kind: String?, since: EpochMillis, limit: Int) async throws -> [ReadingView]? {
        guard let r = views.registry.withLock({ $0.resident(id: residentID) }) else { return nil }
        let k = kind.flatMap(ReadingKind.init(name:))
        return try store.readings(device: devicesOf(r), kind: k, since: since, limit: limit).map {
            ReadingView(kind: $0.kind, value: $0.value, at: $0.measuredAt, device: $0.device)
        }
    }

    /// The resident's wristbands and the sensors of the resident's bed.
    private func devicesOf(_ r: Resident) -> [String] {
        var d = r.devices
        if let bed = r.bed, let b = views.registry.withLock({ $0.bed(code: bed) }) { d += b.devices }
        return d
    }

    func health() async -> (ok: Bool, reason: String?) {
        if !ingest.isConnected { return (false, "not connected to the MQTT broker") }
        if !outbox.store.isWritable() { return (false, "database is not writable") }
        return (true, nil)
    }

    func metricsText() async -> String {
        outbox.refreshMetrics()
        metrics.ingestOversize.store(ingest.messagesOversize, ordering: .relaxed)
        return metrics.render()
    }
}
