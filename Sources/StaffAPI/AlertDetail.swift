import Store

/// One alert with everything that happened to it (`GET /api/v1/alerts/{id}`): its history,
/// oldest first, and its deliveries through the outbox (hotline incident, follow-ups, staff
/// notices), oldest first.
public struct AlertDetail: Sendable, Hashable {
    public var alert: AlertView
    public var history: [AlertHistoryEntry]
    public var deliveries: [OutboxItem]

    public init(alert: AlertView, history: [AlertHistoryEntry] = [], deliveries: [OutboxItem] = []) {
        self.alert = alert
        self.history = history
        self.deliveries = deliveries
    }

    /// `{"alert": {...}, "history": [{"at", "action", "by", "note", "detail"}], "deliveries": [{"id",
    /// "channel", "kind", "state", "attempts", "last_status", "last_error", "ticket",
    /// "next_attempt_at", "delivered_at"}]}`.
    public var jsonText: String {
        var o = JSONObjectText()
        o.raw("alert", alert.jsonText)
        o.raw("history", jsonArray(history.map(\.staffJSONText)))
        o.raw("deliveries", jsonArray(deliveries.map(\.deliveryJSONText)))
        return o.json
    }
}

extension AlertHistoryEntry {
    /// `{"at", "action", "by", "note", "detail"}`; `detail` as text.
    public var staffJSONText: String {
        var o = JSONObjectText()
        o.time("at", at)
        o.string("action", action.rawValue)
        o.string("by", by)
        o.string("note", note)
        o.string("detail", detail)
        return o.json
    }
}
