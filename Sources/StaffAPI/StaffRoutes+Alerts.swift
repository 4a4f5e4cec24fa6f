import AnxinCore
import Foundation
import Hummingbird

extension StaffRoutes {
    /// What staff do to an alert.
    enum AlertAction: Sendable { case acknowledge, resolve }

    /// Default and largest page of `GET /api/v1/alerts`.
    static let defaultAlertPage = 100
    static let maxAlertPage = 1000

    /// `GET /api/v1/alerts?state=&limit=&before=` → `{"alerts": [...]}`, newest first.
    func alerts(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var state: String?
        if let s = query.get("state") {
            guard AlertState(rawValue: s) != nil else {
                throw StaffAPIError.badRequest("state must be open, acknowledged or resolved")
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

    /// `POST /api/v1/alerts/{id}/ack|resolve` with `{"by": "…", "note": "…"}` → the alert.
    func act(_ action: AlertAction, _ request: Request, _ context: BasicRequestContext) async throws
        -> Response
    {
        let id = try context.parameters.require("id")
        let body = try await Self.actionBody(request)
        let result =
            switch action {
            case .acknowledge: try await source.acknowledge(alertID: id, by: body.by, note: body.note)
            case .resolve: try await source.resolve(alertID: id, by: body.by, note: body.note)
            }
        switch result {
        case .ok(let alert): return .staffJSON(alert.jsonText)
        case .notFound: throw StaffAPIError.notFound("unknown alert")
        case .alreadyResolved: throw StaffAPIError.alreadyResolved
        }
    }

    /// The body of an acknowledgement or resolution.
    struct ActionBody: Sendable {
        let by: String
        let note: String?
    }

    static func actionBody(_ request: Request) async throws -> ActionBody {
        var request = request
        // Over the limit Hummingbird throws an error the middleware answers with 413.
        let buffer = try await request.collectBody(upTo: maxBodyBytes)
        guard let tree = JSONTree.parse(String(buffer: buffer)) else {
            throw StaffAPIError.badRequest("body must be a JSON object")
        }
        guard case .object(let fields) = tree else {
            throw StaffAPIError.badRequest("body must be a JSON object")
        }
        guard case .string(let by)? = fields["by"], !by.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw StaffAPIError.badRequest("\"by\" must name the staff member")
        }
        switch fields["note"] {
        case nil, .null?: return ActionBody(by: by, note: nil)
        case .string(let note)?: return ActionBody(by: by, note: note)
        default: throw StaffAPIError.badRequest("\"note\" must be a string")
        }
    }

    /// Parses a `limit` query value: absent → `default`, else 1…`max`.
    static func limit(_ text: String?, default value: Int, max: Int) throws -> Int {
        guard let text else { return value }
        guard let n = Int(text), (1...max).contains(n) else {
            throw StaffAPIError.badRequest("limit must be 1 to \(max)")
        }
        return n
    }
}
