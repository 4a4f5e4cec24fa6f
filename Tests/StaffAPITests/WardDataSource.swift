import AnxinCore
import StaffAPI
import Store

/// A small in-memory ward standing in for the gateway's store in the API tests.
actor WardDataSource: StaffDataSource {
    struct AlertQuery: Equatable {
        let state: String?
        let limit: Int
        let before: String?
    }
    struct ReadingQuery: Equatable {
        let residentID: String
        let kind: String?
        let since: EpochMillis
        let limit: Int
    }
    struct Action: Equatable {
        let verb: String
        let alertID: String
        /// The actor's display name.
        let by: String
        let note: String?
        var actor: StaffIdentity? = nil
    }
    struct Failure: Error {}

    var alertList: [AlertView]
    var residentList: [ResidentView]
    var readingList: [String: [ReadingView]]
    var deviceList: [DeviceView] = Ward.devices
    var outboxList: [OutboxItem] = Ward.outbox
    var silenceList: [SilenceRecord] = [Ward.silence]
    var refuseSilences: String?
    private(set) var deviceFilters: [DeviceFilter?] = []
    private(set) var outboxQueries: [String] = []
    var healthy: (ok: Bool, reason: String?) = (true, nil)
    var metrics = "anxin_messages_received_total 42\n"
    var failing = false
    private(set) var alertQueries: [AlertQuery] = []
    private(set) var readingQueries: [ReadingQuery] = []
    private(set) var actions: [Action] = []

    init(
        alerts: [AlertView] = Ward.alerts, residents: [ResidentView] = [Ward.residentView],
        readings: [String: [ReadingView]] = ["R-0001": Ward.readings]
    ) {
        alertList = alerts
        residentList = residents
        readingList = readings
    }

    func setHealth(ok: Bool, reason: String?) { healthy = (ok, reason) }
    func setFailing() { failing = true }

    func alerts(state: String?, limit: Int, before: String?) async throws -> [AlertView] {
        if failing { throw Failure() }
        alertQueries.append(AlertQuery(state: state, limit: limit, before: before))
        var list = alertList
        if let state { list = list.filter { $0.state.rawValue == state } }
        if let before {
            guard let i = list.firstIndex(where: { $0.id == before }) else { return [] }
            list = Array(list[(i + 1)...])
        }
        return Array(list.prefix(limit))
    }

    func refuseNextSilences(_ why: String) { refuseSilences = why }

    func alertDetail(id: String) async throws -> AlertDetail? {
        guard let alert = alertList.first(where: { $0.id == id }) else { return nil }
        return AlertDetail(
            alert: alert, history: Ward.history.filter { $0.alertID == id },
            deliveries: outboxList.filter { $0.alertID == id })
    }

    func acknowledge(alertID: String, actor: StaffIdentity, note: String?) async throws -> StaffActionResult {
        let by = actor.name
        actions.append(Action(verb: "ack", alertID: alertID, by: by, note: note, actor: actor))
        guard let i = alertList.firstIndex(where: { $0.id == alertID }) else { return .notFound }
        switch alertList[i].state {
        case .resolved: return .alreadyResolved
        case .acknowledged: return .ok(alertList[i])
        case .open:
            alertList[i].state = .acknowledged
            alertList[i].acknowledgedAt = Ward.actionTime
            alertList[i].acknowledgedBy = by
            alertList[i].updatedAt = Ward.actionTime
            return .ok(alertList[i])
        }
    }

    func resolve(alertID: String, actor: StaffIdentity, note: String?) async throws -> StaffActionResult {
        actions.append(Action(verb: "resolve", alertID: alertID, by: actor.name, note: note, actor: actor))
        return finish(alertID, cancelled: false)
    }

    func cancel(alertID: String, actor: StaffIdentity, note: String?) async throws -> StaffActionResult {
        actions.append(Action(verb: "cancel", alertID: alertID, by: actor.name, note: note, actor: actor))
        return finish(alertID, cancelled: true)
    }

    private func finish(_ alertID: String, cancelled: Bool) -> StaffActionResult {
        guard let i = alertList.firstIndex(where: { $0.id == alertID }) else { return .notFound }
        guard alertList[i].state != .resolved else { return .alreadyResolved }
        alertList[i].state = .resolved
        alertList[i].resolvedAt = Ward.actionTime
        alertList[i].updatedAt = Ward.actionTime
        alertList[i].cancelled = cancelled
        return .ok(alertList[i])
    }

    func devices(filter: DeviceFilter?) async throws -> [DeviceView] {
        deviceFilters.append(filter)
        switch filter {
        case nil: return deviceList
        case .silent?: return deviceList.filter(\.silent)
        case .lowBattery?: return deviceList.filter { ($0.battery ?? 100) <= 20 }
        case .unregistered?: return deviceList.filter { !$0.registered }
        }
    }

    func outbox(state: IncidentState?, limit: Int) async throws -> [OutboxItem] {
        outboxQueries.append("\(state?.rawValue ?? "all")/\(limit)")
        return Array(outboxList.filter { state == nil || $0.state == state }.prefix(limit))
    }

    func requeue(outboxID: String, actor: StaffIdentity) async throws -> StaffRequeueResult {
        actions.append(Action(verb: "requeue", alertID: outboxID, by: actor.name, note: nil, actor: actor))
        guard let i = outboxList.firstIndex(where: { $0.id == outboxID }) else { return .notFound }
        guard outboxList[i].state != .delivered else { return .alreadyDelivered }
        outboxList[i].state = .pending
        outboxList[i].nextAttemptAt = Ward.at(Ward.actionTime)
        return .ok(outboxList[i])
    }

    func silences() async throws -> [SilenceRecord] { silenceList.filter { $0.liftedAt == nil } }

    func addSilence(_ request: SilenceRequest, actor: StaffIdentity) async throws -> StaffSilenceResult {
        actions.append(
            Action(verb: "silence", alertID: request.target, by: actor.name, note: request.reason, actor: actor))
        if let refuseSilences { return .refused(refuseSilences) }
        let now = Ward.at(Ward.actionTime)
        let record = SilenceRecord(
            id: Int64(silenceList.count + 1), scope: request.scope, target: request.target, reason: request.reason,
            createdBy: actor.name, createdAt: now, endsAt: now + Int64(request.minutes) * 60_000)
        silenceList.append(record)
        return .ok(record)
    }

    func liftSilence(id: Int64, actor: StaffIdentity) async throws -> Bool {
        actions.append(Action(verb: "unsilence", alertID: String(id), by: actor.name, note: nil, actor: actor))
        guard let i = silenceList.firstIndex(where: { $0.id == id && $0.liftedAt == nil }) else { return false }
        silenceList[i].liftedAt = Ward.at(Ward.actionTime)
        return true
    }

    func resident(id: String) async throws -> ResidentView? {
        residentList.first { $0.resident.id == id }
    }

    func readings(residentID: String, kind: String?, since: EpochMillis, limit: Int) async throws
        -> [ReadingView]?
    {
        readingQueries.append(ReadingQuery(residentID: residentID, kind: kind, since: since, limit: limit))
        guard residentList.contains(where: { $0.resident.id == residentID }) else { return nil }
        let all = readingList[residentID] ?? []
        return Array(all.filter { ($0.kind.name == kind || kind == nil) && $0.at >= since }.prefix(limit))
    }

    func health() async -> (ok: Bool, reason: String?) { healthy }

    func metricsText() async -> String { metrics }
}
