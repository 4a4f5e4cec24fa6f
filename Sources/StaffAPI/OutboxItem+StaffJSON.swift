import Store

extension OutboxItem {
    /// A row of the outbox page: `{"id", "alert_id", "channel", "kind", "state", "attempts",
    /// "last_status", "last_error", "ticket", "created_at", "next_attempt_at"}`. Never the body.
    public var staffJSONText: String {
        var o = JSONObjectText()
        o.string("id", id)
        o.string("alert_id", alertID)
        addDeliveryFields(&o)
        o.time("created_at", createdAt)
        o.time("next_attempt_at", nextAttemptAt)
        return o.json
    }

    /// A delivery on an alert's page: `{"id", "channel", "kind", "state", "attempts", "last_status",
    /// "last_error", "ticket", "next_attempt_at", "delivered_at"}`.
    public var deliveryJSONText: String {
        var o = JSONObjectText()
        o.string("id", id)
        addDeliveryFields(&o)
        o.time("next_attempt_at", nextAttemptAt)
        o.time("delivered_at", deliveredAt)
        return o.json
    }

    /// Where it goes and how its delivery stands, common to both views.
    private func addDeliveryFields(_ o: inout JSONObjectText) {
        o.string("channel", channel)
        o.string("kind", kind.rawValue)
        o.string("state", state.rawValue)
        o.integer("attempts", attempts)
        o.integer("last_status", lastStatus)
        o.string("last_error", lastError)
        o.string("ticket", ticket)
    }
}
