import AnxinCore

/// The generic webhook body of a notice (also fit for an MQTT staff topic): compact JSON,
/// keys in this order, absent values as `null`:
///
/// `{"alert_id","gateway_id","rule","severity","summary","resident":{"name","room","bed"}|null,
/// "step","reminder","opened_at","board_url"}`
public enum WebhookNoticeBody {
    public static func render(_ c: NoticeContent) -> [UInt8] {
        var s = "{\"alert_id\":" + JSONText.quote(c.alertID)
        s += ",\"gateway_id\":" + JSONText.quote(c.gatewayID)
        s += ",\"rule\":" + JSONText.quote(c.rule)
        s += ",\"severity\":" + JSONText.quote(c.severity.name)
        s += ",\"summary\":" + JSONText.quote(c.summary)
        s += ",\"resident\":"
        if let r = c.resident {
            s += "{\"name\":" + JSONText.quote(r.name) + ",\"room\":" + optional(r.room) + ",\"bed\":" + optional(r.bed)
            s += "}"
        } else {
            s += "null"
        }
        s += ",\"step\":\(c.step),\"reminder\":\(c.reminder)"
        s += ",\"opened_at\":" + JSONText.quote(Timestamp.iso8601(c.openedAt, utcOffsetSeconds: c.utcOffsetSeconds))
        s += ",\"board_url\":" + JSONText.quote(c.boardURL) + "}"
        return Array(s.utf8)
    }

    private static func optional(_ v: String?) -> String { v.map(JSONText.quote) ?? "null" }
}
