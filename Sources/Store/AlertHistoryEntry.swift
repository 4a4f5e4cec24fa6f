import AnxinCore

/// What happened to an alert.
public enum AlertAction: String, Sendable, Hashable, CaseIterable {
    case opened, updated, acknowledged, escalated, notified, delivered, rejected, resolved, cancelled, silenced
    case followup
}

/// One line of an alert's history.
public struct AlertHistoryEntry: Sendable, Hashable {
    public var alertID: String
    public var at: EpochMillis
    public var action: AlertAction
    /// Staff id, or a system actor such as `rules` or `hotline`.
    public var by: String?
    /// Free text from staff.
    public var note: String?
    /// Machine detail, e.g. a JSON object with the new reading or the hotline status.
    public var detail: String?

    public init(
        alertID: String, at: EpochMillis, action: AlertAction, by: String? = nil, note: String? = nil,
        detail: String? = nil
    ) {
        self.alertID = alertID
        self.at = at
        self.action = action
        self.by = by
        self.note = note
        self.detail = detail
    }
}
