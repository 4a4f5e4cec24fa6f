import Hummingbird
import Store

extension StaffRoutes {
    /// Default and largest page of `GET /api/v1/outbox`.
    static let defaultOutboxPage = 100
    static let maxOutboxPage = 1000

    /// `GET /api/v1/outbox?state=pending|rejected|delivered&limit=` → `{"items": [...]}`.
    func outbox(_ request: Request, _ context: StaffRequestContext) async throws -> Response {
        _ = try context.requireRole(.viewer)
        let query = request.uri.queryParameters
        var state: IncidentState?
        if let s = query.get("state") {
            guard let parsed = IncidentState(rawValue: s) else {
                throw StaffAPIError.badRequest("state must be pending, rejected or delivered")
            }
            state = parsed
        }
        let limit = try Self.limit(query.get("limit"), default: Self.defaultOutboxPage, max: Self.maxOutboxPage)
        let items = try await source.outbox(state: state, limit: limit)
        var o = JSONObjectText()
        o.raw("items", jsonArray(items.map(\.staffJSONText)))
        return .staffJSON(o.json)
    }

    /// `POST /api/v1/outbox/{id}/requeue` (admin) → `{"item": {...}}`; audited. Ids that hold `/`
    /// come percent-encoded (`INC-A-0003%2Fack`).
    func requeue(_ context: StaffRequestContext) async throws -> Response {
        let id = try Self.pathParameter(context, "id")
        let actor = try authorize(context, .admin, action: "requeue", target: id)
        let result = try await source.requeue(outboxID: id, actor: actor)
        let outcome =
            switch result {
            case .ok: "ok"
            case .notFound: "not_found"
            case .alreadyDelivered: "conflict"
            }
        try accounts.audit(actor, action: "requeue", target: id, outcome: outcome)
        switch result {
        case .ok(let item):
            var o = JSONObjectText()
            o.raw("item", item.staffJSONText)
            return .staffJSON(o.json)
        case .notFound: throw StaffAPIError.notFound("unknown outbox item")
        case .alreadyDelivered: throw StaffAPIError.conflict("outbox item already delivered")
        }
    }
}
