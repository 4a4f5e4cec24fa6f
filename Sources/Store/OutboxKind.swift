/// What an outbox row carries, and so which rules it follows.
public enum OutboxKind: String, Sendable, Hashable, CaseIterable {
    /// A 12349 hotline incident (channel `hotline`): durable, mirrored onto the alert's
    /// `incident_*` columns.
    case incident
    /// A hotline follow-up to an incident (acknowledged, resolved, cancelled): durable; its
    /// answer may set the alert's ticket and hotline status.
    case update
    /// A message to staff on a notification channel (WeCom, DingTalk, webhook, MQTT).
    case notice
}
