import AnxinCore
import Store

/// A follow-up telling the hotline what became of an incident: staff acknowledged or resolved
/// the alert, or cancelled it as a false alarm (ISSUE 3, "Hotline follow-ups").
public struct HotlineUpdate: Sendable, Hashable {
    /// The new state, as sent in `status`.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case acknowledged, resolved, cancelled

        /// The outbox id suffix: `ack`, `resolve`, `cancel`.
        public var idSuffix: String {
            switch self {
            case .acknowledged: "ack"
            case .resolved: "resolve"
            case .cancelled: "cancel"
            }
        }
    }

    public var incidentID: String
    public var gatewayID: String
    public var status: Status
    /// Display name of the staff member (or `rules` when the rules resolved it).
    public var by: String
    public var note: String?
    public var at: EpochMillis
    /// Offset `at` is written with (28800 for `+08:00`).
    public var utcOffsetSeconds: Int

    public init(
        incidentID: String, gatewayID: String, status: Status, by: String, note: String?, at: EpochMillis,
        utcOffsetSeconds: Int = 28800
    ) {
        self.incidentID = incidentID
        self.gatewayID = gatewayID
        self.status = status
        self.by = by
        self.note = note
        self.at = at
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// `<incident id>/ack`, `/resolve` or `/cancel`: the outbox row id and `Idempotency-Key`.
    public var outboxID: String { incidentID + "/" + status.idSuffix }

    /// `{"incident_id","gateway_id","status","by","note","at"}`, compact, `note` null when absent.
    public func render() -> [UInt8] {
        var s = "{\"incident_id\":" + JSONText.quote(incidentID)
        s += ",\"gateway_id\":" + JSONText.quote(gatewayID)
        s += ",\"status\":" + JSONText.quote(status.rawValue)
        s += ",\"by\":" + JSONText.quote(by)
        s += ",\"note\":" + (note.map(JSONText.quote) ?? "null")
        s += ",\"at\":" + JSONText.quote(Timestamp.iso8601(at, utcOffsetSeconds: utcOffsetSeconds)) + "}"
        return Array(s.utf8)
    }

    /// The outbox row (channel `hotline`, kind `update`). Enqueue it with `Store.enqueue(_:)`
    /// inside the durable transaction that changes the alert.
    public func outboxItem(alertID: String, priority: Int, createdAt: EpochMillis) -> OutboxItem {
        OutboxItem(
            id: outboxID, alertID: alertID, priority: priority, body: render(), createdAt: createdAt,
            channel: OutboxItem.hotline, kind: .update)
    }
}
