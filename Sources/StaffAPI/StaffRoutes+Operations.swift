import Hummingbird

extension StaffRoutes {
    /// `GET /healthz`: 200 `{"status":"ok"}` or 503 `{"status":"unavailable","reason":"…"}`.
    func health() async -> Response {
        let (ok, reason) = await source.health()
        var o = JSONObjectText()
        if ok {
            o.string("status", "ok")
            return .staffJSON(o.json)
        }
        o.string("status", "unavailable")
        o.string("reason", reason ?? "unavailable")
        return .staffJSON(status: .serviceUnavailable, o.json)
    }

    /// `GET /metrics`: the Prometheus text exposition.
    func metrics() async -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(await source.metricsText())
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: buffer))
    }
}
