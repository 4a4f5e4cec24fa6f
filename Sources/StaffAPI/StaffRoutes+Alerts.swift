import AnxinCore
import Foundation
import Hummingbird

extension StaffRoutes {
    /// What staff do to an alert.
    enum AlertAction: String, Sendable {
        case acknowledge, resolve, cancel
    }

    /// Default and largest page of `GET /api/v1/alerts`.
    static let defaultAlertPage = 100
    static let maxAlertPage = 1000
    /// The `state` values `GET /api/v1/alerts` accepts.
    static let alertStates: Set<String> = ["open", "acknowledged", "resolved", "unresolved"]

    /// `GET /api/v1/alerts?state=&limit=&before=` → `{"alerts": [...]}`, newest first.
    func alerts(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var state: String?
        if let s = query.get("state") {
            guard Self.alertStates.contains(s) else {
                throw StaffAPIError.badRequest("state must be open, acknowledged, resolved or unresolved")
            }
            state = s
        }
        let limit = try Self.limit(
            query.get("limit"), default: Self.defaultAlertPage, max: Self.maxAlertPage)
        var before: String?
        if let b = query.get("before") {
            guard !b.isEmpty else { throw StaffAPIError.badRequest("before must be an alert id") }
            before = b
        }
        let list = try await source.alerts(state: state, limit: limit, before: before)
        var o = JSONObjectText()
        o.raw("alerts", jsonArray(list.map(\.jsonText)))
        return .staffJSON(o.json)
    }

    /// `GET /api/v1/alerts/{id}` → `{"alert", "history", "deliveries"}`.
    func alertDetail(_ context: StaffRequestContext) async throws -> Response {
        _ = try context.requireRole(.viewer)
        let id = try Self.pathParameter(context, "id")
        guard let detail = try await source.alertDetail(id: id) else {
            throw StaffAPIError.notFound("unknown alert")
        }
        return .staffJSON(detail.jsonText)
    }

    /// `POST /api/v1/alerts/{id}/ack|resolve|cancel` with `{"note": "…"}` → `{"alert": {...}}`.
    ///
    /// The signed-in staff member is the actor; a `by` in the body is ignored. An anonymous
    /// caller (loopback, `anonymous_role: oncall`) must name themselves with `by`. One audit row
    /// per request that reaches the source, with its outcome.
    func act(_ action: AlertAction, _ request: Request, _ context: StaffRequestContext) async throws
        -> Response
    {
        let id = try Self.pathParameter(context, "id")
        var actor = try authorize(context, .oncall, action: action.rawValue, target: id)
        let fields = try await Self.jsonObject(request)
        if actor.anonymous {
            guard case .string(let by)? = fields["by"], !by.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw StaffAPIError.badRequest("\"by\" must name the staff member")
            }
            actor.name = by
        }
        let note = try Self.optionalString(fields, "note")
        let result =
            switch action {
            case .acknowledge: try await source.acknowledge(alertID: id, actor: actor, note: note)
            case .resolve: try await source.resolve(alertID: id, actor: actor, note: note)
            case .cancel: try await source.cancel(alertID: id, actor: actor, note: note)
            }
        let outcome =
            switch result {
            case .ok: "ok"
            case .notFound: "not_found"
            case .alreadyResolved: "conflict"
            }
        try accounts.audit(actor, action: action.rawValue, target: id, note: note, outcome: outcome)
        switch result {
        case .ok(let alert):
            var o = JSONObjectText()
            o.raw("alert", alert.jsonText)
            return .staffJSON(o.json)
        case .notFound: throw StaffAPIError.notFound("unknown alert")
        case .alreadyResolved: throw StaffAPIError.alreadyResolved
        }
    }
}
