import AnxinCore

/// What staff asked to happen to an alert, and what came of it.
public enum StaffActionResult: Sendable {
    /// Done; the alert as it now stands.
    case ok(AlertView)
    /// No alert has that id (answered 404).
    case notFound
    /// The alert was already resolved; nothing changed (answered 409).
    case alreadyResolved
}

/// Everything the staff API reads and changes, implemented by the Gateway over the store and the
/// pipeline. The API imports neither.
public protocol StaffDataSource: Sendable {
    /// Alerts newest first. `state` is `open`, `acknowledged` or `resolved` (nil: all);
    /// `before` is the id of the last alert of the previous page: only older alerts follow it
    /// (an unknown id yields none). `limit` is 1…1000.
    func alerts(state: String?, limit: Int, before: String?) async throws -> [AlertView]
    /// Acknowledges an open alert; acknowledging an acknowledged alert again is `.ok` and keeps
    /// the first acknowledgement.
    func acknowledge(alertID: String, by: String, note: String?) async throws -> StaffActionResult
    /// Resolves an open or acknowledged alert.
    func resolve(alertID: String, by: String, note: String?) async throws -> StaffActionResult
    /// The resident with latest vitals and unresolved alerts; nil when no resident has that id.
    func resident(id: String) async throws -> ResidentView?
    /// A resident's readings measured at or after `since`, newest first, `kind` a `ReadingKind`
    /// name or nil for all; nil when no resident has that id.
    func readings(residentID: String, kind: String?, since: EpochMillis, limit: Int) async throws
        -> [ReadingView]?
    /// Whether MQTT is connected and the database writable, and if not, why (no resident data).
    func health() async -> (ok: Bool, reason: String?)
    /// Prometheus text exposition (format 0.0.4) of the gateway's metrics.
    func metricsText() async -> String
}
