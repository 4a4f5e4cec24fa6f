import AnxinCore
import Store

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
/// pipeline.
///
/// Actions take the acting staff member (`actor`): record `actor.name` as who acknowledged,
/// resolved or silenced, and tell the hotline that name. The API itself writes exactly one
/// audit row for every acknowledgement, resolution, cancel, requeue, silence and lift it passes
/// on, after the source answers (with the outcome); sources must not write audit rows for them.
public protocol StaffDataSource: Sendable {
    /// Alerts newest first. `state` is `open`, `acknowledged`, `resolved` or `unresolved` (open
    /// or acknowledged); nil: all. `before` is the id of the last alert of the previous page:
    /// only older alerts follow it (an unknown id yields none). `limit` is 1…1000.
    func alerts(state: String?, limit: Int, before: String?) async throws -> [AlertView]
    /// One alert with its history and deliveries; nil when no alert has that id.
    func alertDetail(id: String) async throws -> AlertDetail?
    /// Acknowledges an open alert, stopping its later escalation steps and reminders;
    /// acknowledging an acknowledged alert again is `.ok` and keeps the first acknowledgement.
    func acknowledge(alertID: String, actor: StaffIdentity, note: String?) async throws -> StaffActionResult
    /// Resolves an open or acknowledged alert.
    func resolve(alertID: String, actor: StaffIdentity, note: String?) async throws -> StaffActionResult
    /// Resolves an open or acknowledged alert as a false alarm (the hotline is told "cancelled").
    func cancel(alertID: String, actor: StaffIdentity, note: String?) async throws -> StaffActionResult
    /// The resident with latest vitals, devices, location and unresolved alerts; nil when no
    /// resident has that id.
    func resident(id: String) async throws -> ResidentView?
    /// A resident's readings measured at or after `since`, newest first, `kind` a `ReadingKind`
    /// name or nil for all; nil when no resident has that id.
    func readings(residentID: String, kind: String?, since: EpochMillis, limit: Int) async throws
        -> [ReadingView]?
    /// Known and registered devices, all or those matching `filter`, by id.
    func devices(filter: DeviceFilter?) async throws -> [DeviceView]
    /// Outbox items newest first, all or of one state, at most `limit` (1…1000).
    func outbox(state: IncidentState?, limit: Int) async throws -> [OutboxItem]
    /// Sends a pending or rejected outbox item again now (admin).
    func requeue(outboxID: String, actor: StaffIdentity) async throws -> StaffRequeueResult
    /// Silences in force now, soonest to end first.
    func silences() async throws -> [SilenceRecord]
    /// Records a silence from now for `request.minutes`, created by `actor.name`.
    func addSilence(_ request: SilenceRequest, actor: StaffIdentity) async throws -> StaffSilenceResult
    /// Lifts a silence in force; false when no silence in force has that id.
    func liftSilence(id: Int64, actor: StaffIdentity) async throws -> Bool
    /// Whether MQTT is connected and the database writable, and if not, why (no resident data).
    func health() async -> (ok: Bool, reason: String?)
    /// Prometheus text exposition (format 0.0.4) of the gateway's metrics.
    func metricsText() async -> String
}
