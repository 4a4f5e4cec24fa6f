import Hummingbird

extension StaffRoutes {
    /// `GET /api/v1/devices?filter=silent|low_battery|unregistered` → `{"devices": [...]}`.
    func devices(_ request: Request, _ context: StaffRequestContext) async throws -> Response {
        _ = try context.requireRole(.viewer)
        var filter: DeviceFilter?
        if let f = request.uri.queryParameters.get("filter") {
            guard let parsed = DeviceFilter(rawValue: f) else {
                throw StaffAPIError.badRequest("filter must be silent, low_battery or unregistered")
            }
            filter = parsed
        }
        let list = try await source.devices(filter: filter)
        var o = JSONObjectText()
        o.raw("devices", jsonArray(list.map(\.jsonText)))
        return .staffJSON(o.json)
    }
}
