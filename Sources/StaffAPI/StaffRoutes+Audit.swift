import Hummingbird

extension StaffRoutes {
    /// `GET /api/v1/audit?limit=&before=` (admin) → `{"entries": [...]}`, newest first.
    func auditLog(_ request: Request, _ context: StaffRequestContext) throws -> Response {
        _ = try context.requireRole(.admin)
        let query = request.uri.queryParameters
        let limit = try Self.limit(query.get("limit"), default: 100, max: 1000)
        var before: Int64?
        if let b = query.get("before") {
            guard let n = Int64(b), n > 0 else { throw StaffAPIError.badRequest("before must be an entry id") }
            before = n
        }
        let rows = try accounts.auditLog(limit: limit, before: before)
        var o = JSONObjectText()
        o.raw("entries", jsonArray(rows.map(\.staffJSONText)))
        return .staffJSON(o.json)
    }
}
