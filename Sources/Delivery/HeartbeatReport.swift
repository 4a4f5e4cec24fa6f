import AnxinCore

/// What the gateway tells the hotline in each heartbeat.
public struct HeartbeatReport: Sendable, Hashable {
    /// False sends `"status": "degraded"` (e.g. the broker or the database is down).
    public var healthy: Bool
    public var mqttConnected: Bool
    /// Undelivered outbox rows.
    public var outboxDepth: Int
    /// Age of the oldest undelivered row, 0 when none.
    public var oldestPendingAgeSeconds: Double

    public init(healthy: Bool, mqttConnected: Bool, outboxDepth: Int, oldestPendingAgeSeconds: Double) {
        self.healthy = healthy
        self.mqttConnected = mqttConnected
        self.outboxDepth = outboxDepth
        self.oldestPendingAgeSeconds = oldestPendingAgeSeconds
    }

    /// `{"gateway_id","at","status":"ok"|"degraded","mqtt_connected","outbox_depth","oldest_pending_age_s"}`,
    /// compact; the age rounded to milliseconds.
    public func render(gatewayID: String, at: EpochMillis, utcOffsetSeconds: Int) -> [UInt8] {
        var s = "{\"gateway_id\":" + JSONText.quote(gatewayID)
        s += ",\"at\":" + JSONText.quote(Timestamp.iso8601(at, utcOffsetSeconds: utcOffsetSeconds))
        s += ",\"status\":" + (healthy ? "\"ok\"" : "\"degraded\"")
        s += ",\"mqtt_connected\":" + (mqttConnected ? "true" : "false")
        s += ",\"outbox_depth\":\(outboxDepth)"
        s += ",\"oldest_pending_age_s\":" + JSONText.number((max(0, oldestPendingAgeSeconds) * 1000).rounded() / 1000)
        return Array((s + "}").utf8)
    }
}
