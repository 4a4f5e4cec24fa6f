import AnxinCore
import StaffAPI

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
        let by: String
        let note: String?
    }
    struct Failure: Error {}

    var alertList: [AlertView]
    var residentList: [ResidentView]
    var readingList: [String: [ReadingView]]
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

    func acknowledge(alertID: String, by: String, note: String?) async throws -> StaffActionResult {
        actions.append(Action(verb: "ack", alertID: alertID, by: by, note: note))
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

    func resolve(alertID: String, by: String, note: String?) async throws -> StaffActionResult {
        actions.append(Action(verb: "resolve", alertID: alertID, by: by, note: note))
        guard let i = alertList.firstIndex(where: { $0.id == alertID }) else { return .notFound }
        guard alertList[i].state != .resolved else { return .alreadyResolved }
        alertList[i].state = .resolved
        alertList[i].resolvedAt = Ward.actionTime
        alertList[i].updatedAt = Ward.actionTime
        return .ok(alertList[i])
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
