import AnxinCore
import Hummingbird

extension StaffRoutes {
    /// Default and largest page of reading history.
    static let defaultReadingPage = 1000
    static let maxReadingPage = 10000
    /// History reaches back this far when `since` is not given.
    static let defaultHistoryMillis: EpochMillis = 24 * 3600 * 1000

    /// `GET /api/v1/residents/{id}` → the resident with latest vitals and open alerts.
    func resident(_ context: StaffRequestContext) async throws -> Response {
        _ = try context.requireRole(.viewer)
        let id = try Self.pathParameter(context, "id")
        guard let view = try await source.resident(id: id) else {
            throw StaffAPIError.notFound("unknown resident")
        }
        return .staffJSON(view.jsonText)
    }

    /// `GET /api/v1/residents/{id}/readings?kind=&since=&limit=` → `{"readings": [...]}`.
    func readings(_ request: Request, _ context: StaffRequestContext) async throws -> Response {
        _ = try context.requireRole(.viewer)
        let id = try Self.pathParameter(context, "id")
        let query = request.uri.queryParameters
        var kind: String?
        if let k = query.get("kind") {
            guard ReadingKind(name: k) != nil else {
                throw StaffAPIError.badRequest("unknown reading kind")
            }
            kind = k
        }
        let since: EpochMillis
        if let s = query.get("since") {
            guard let t = Timestamp.parseISO8601(s) else {
                throw StaffAPIError.badRequest("since must be an ISO 8601 time")
            }
            since = t
        } else {
            since = clock.now() - Self.defaultHistoryMillis
        }
        let limit = try Self.limit(
            query.get("limit"), default: Self.defaultReadingPage, max: Self.maxReadingPage)
        guard let list = try await source.readings(residentID: id, kind: kind, since: since, limit: limit)
        else {
            throw StaffAPIError.notFound("unknown resident")
        }
        var o = JSONObjectText()
        o.raw("readings", jsonArray(list.map(\.jsonText)))
        return .staffJSON(o.json)
    }
}
