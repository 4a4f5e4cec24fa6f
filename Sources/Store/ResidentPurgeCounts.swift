/// What `Store.purgeResident(residentID:devices:)` removed or blanked.
public struct ResidentPurgeCounts: Sendable, Hashable {
    /// Readings deleted from the resident's devices.
    public var readings: Int
    /// Alert history lines deleted from the resident's alerts.
    public var alertHistory: Int
    /// Delivered outbox items of the resident's alerts whose body was replaced by an empty one.
    public var outboxBodies: Int
    /// Alerts that no longer name the resident (`resident_id` set to NULL).
    public var alerts: Int

    public init(readings: Int = 0, alertHistory: Int = 0, outboxBodies: Int = 0, alerts: Int = 0) {
        self.readings = readings
        self.alertHistory = alertHistory
        self.outboxBodies = outboxBodies
        self.alerts = alerts
    }
}
