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
    let outbox: OutboxMonitor
    let clock: any WallClock
    let ingest: MQTTIngest
    let onRequeue: @Sendable () -> Void

    init(
        views: AlertViews, pipeline: Pipeline, metrics: GatewayMetrics, store: Store, outbox: OutboxMonitor,
        clock: any WallClock, ingest: MQTTIngest, onRequeue: @escaping @Sendable () -> Void = {}
    ) {
        self.onRequeue = onRequeue
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

    func alertDetail(id: String) async throws -> AlertDetail? {
        guard let rec = try store.alert(id: id) else { return nil }
        return AlertDetail(
            alert: views.view(rec), history: try store.history(alertID: id),
            deliveries: try store.outboxItems(alertID: id))
    }

    func acknowledge(alertID: String, actor: StaffIdentity, note: String?) async throws -> StaffActionResult {
        try map(await pipeline.perform(.acknowledge(alertID: alertID, by: actor.name, note: note)))
    }

    func resolve(alertID: String, actor: StaffIdentity, note: String?) async throws -> StaffActionResult {
        try map(await pipeline.perform(.resolve(alertID: alertID, by: actor.name, note: note)))
    }

    func cancel(alertID: String, actor: StaffIdentity, note: String?) async throws -> StaffActionResult {
        try map(await pipeline.perform(.cancel(alertID: alertID, by: actor.name, note: note)))
    }

    /// A staff action the database could not record (answered 500, never silently dropped).
    struct ActionNotRecorded: Error {}

    private func map(_ r: Pipeline.StaffCommandResult) throws -> StaffActionResult {
        switch r {
        case .ok(let rec): return .ok(views.view(rec))
        case .notFound, .silence, .refused: return .notFound
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
        let now = clock.now()
        let deviceViews = try devices.map { try deviceView($0, now: now) }
        return ResidentView(resident: r, vitals: vitals, openAlerts: open, devices: deviceViews)
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

    // MARK: devices, outbox, silences

    /// A device is silent after this long without data (the shipped device_silent limit).
    static let silentAfterMs: EpochMillis = 30 * 60 * 1000
    /// Battery at or below this is low (the shipped low_battery limit).
    static let lowBattery = 15.0

    func devices(filter: DeviceFilter?) async throws -> [DeviceView] {
        let now = clock.now()
        let registry = views.registry.withLock { $0 }
        var seen = Set<String>()
        var out: [DeviceView] = []
        for rec in try store.devices() {
            seen.insert(rec.device)
            let registered = registry.bindings[rec.device] != nil
            if filter == .unregistered, registered { continue }
            if filter == .silent, !registered || now - rec.lastSeen < Self.silentAfterMs { continue }
            let v = try deviceView(rec.device, record: rec, registry: registry, now: now)
            if filter == .lowBattery, (v.battery ?? 100) > Self.lowBattery { continue }
            out.append(v)
        }
        // Registered devices never heard from are silent too.
        if filter == nil || filter == .silent {
            for device in registry.bindings.keys.sorted() where !seen.contains(device) {
                out.append(try deviceView(device, record: nil, registry: registry, now: now))
            }
        }
        return out.sorted { $0.id < $1.id }
    }

    private func deviceView(_ id: String, now: EpochMillis) throws -> DeviceView {
        try deviceView(id, record: try store.device(id), registry: views.registry.withLock { $0 }, now: now)
    }

    private func deviceView(_ id: String, record: DeviceRecord?, registry: RegistrySnapshot, now: EpochMillis)
        throws -> DeviceView
    {
        let resident = registry.resident(forDevice: id)
        let battery = try store.readings(device: [id], kind: .battery, since: now - 7 * 86_400_000, limit: 1).first
        var level: Double?
        if case .number(let b)? = battery?.value { level = b }
        return DeviceView(
            id: id, profile: record?.profile,
            resident: resident.map {
                ResidentRef(id: $0.id, name: $0.name, bed: $0.bed, room: $0.room, careLevel: $0.careLevel)
            },
            registered: registry.bindings[id] != nil, lastSeen: record?.lastSeen, battery: level,
            silent: record.map { now - $0.lastSeen >= Self.silentAfterMs } ?? true)
    }

    func outbox(state: IncidentState?, limit: Int) async throws -> [OutboxItem] {
        if let state { return try store.outboxItems(state: state, limit: limit) }
        var all: [OutboxItem] = []
        for s in IncidentState.allCases { all += try store.outboxItems(state: s, limit: limit) }
        return Array(all.sorted { $0.createdAt > $1.createdAt }.prefix(limit))
    }

    func requeue(outboxID: String, actor: StaffIdentity) async throws -> StaffRequeueResult {
        guard let item = try outbox.store.outboxItem(id: outboxID) else { return .notFound }
        if item.state == .delivered { return .alreadyDelivered }
        _ = try outbox.store.requeue(id: outboxID, now: clock.now())
        onRequeue()
        return .ok(try outbox.store.outboxItem(id: outboxID) ?? item)
    }

    func silences() async throws -> [SilenceRecord] {
        try store.silencesInForce(at: clock.now())
    }

    func addSilence(_ request: SilenceRequest, actor: StaffIdentity) async throws -> StaffSilenceResult {
        let now = clock.now()
        let s = SilenceRecord(
            scope: request.scope, target: request.target, reason: request.reason, createdBy: actor.name,
            createdAt: now, endsAt: now + EpochMillis(request.minutes) * 60_000)
        switch await pipeline.perform(.addSilence(s)) {
        case .silence(let saved): return .ok(saved)
        case .refused(let why): return .refused(why)
        default: throw ActionNotRecorded()
        }
    }

    func liftSilence(id: Int64, actor: StaffIdentity) async throws -> Bool {
        switch await pipeline.perform(.liftSilence(id: id, by: actor.name)) {
        case .silence(let s): return s.liftedBy == actor.name
        case .notFound: return false
        default: throw ActionNotRecorded()
        }
    }

    func health() async -> (ok: Bool, reason: String?) {
        if !ingest.isConnected { return (false, "not connected to the MQTT broker") }
        switch metrics.storageTrouble.load(ordering: .relaxed) {
        case StorageTrouble.full.rawValue:
            return (false, "database full: alerts are still stored and sent, readings are being shed")
        case StorageTrouble.failing.rawValue:
            return (false, "database commits are failing: readings are held in memory")
        default: break
        }
        if !outbox.store.isWritable() { return (false, "database is not writable") }
        return (true, nil)
    }

    func metricsText() async -> String {
        outbox.refreshMetrics()
        metrics.ingestOversize.store(ingest.messagesOversize, ordering: .relaxed)
        return metrics.render()
    }
}
