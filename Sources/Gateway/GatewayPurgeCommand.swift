import AnxinCore
import Foundation
import Store

/// `anxin purge --resident ID`: erases one resident's personal data on request (PIPL).
///
/// Finds the resident's wristbands and bed sensors in the registry, then removes their readings,
/// their alert history, the bodies of their delivered outbox items and the resident id on their
/// alerts in one transaction (`Store.purgeResident(residentID:devices:)`), and writes an audit row
/// (actor `cli`, action `purge`). Safe while the daemon runs (SQLite WAL).
public enum GatewayPurge {
    /// What one purge did.
    public struct Outcome: Sendable, Hashable {
        /// False when the registry does not list the resident: only their alerts could be found,
        /// no device readings were deleted.
        public var residentKnown: Bool
        /// The devices whose readings were deleted.
        public var devices: [String]
        public var counts: ResidentPurgeCounts
    }

    /// Purges the resident's data from the configured database.
    /// - Throws: `ConfigError` when the registry, profiles or rules do not load; `SQLiteError`
    ///   when the database cannot be written (nothing is purged then).
    public static func run(config: GatewayConfig, residentID: String, clock: any WallClock = SystemWallClock())
        throws -> Outcome
    {
        let cacheDir = (config.databasePath as NSString).deletingLastPathComponent
        let registry: RegistrySnapshot
        switch RuntimeSet.load(config: config, cacheDirectory: cacheDir) {
        case .success(let r): registry = r.registry
        case .failure(let e): throw e
        }
        let resident = registry.resident(id: residentID)
        var devices = resident?.devices ?? []
        if let code = resident?.bed, let bed = registry.bed(code: code) { devices += bed.devices }
        let store = try Store(path: config.databasePath)
        defer { store.close() }
        let counts = try store.inTransaction(durable: true) { () throws -> ResidentPurgeCounts in
            let counts = try store.purgeResident(residentID: residentID, devices: devices)
            try store.appendAudit(
                AuditRecord(
                    at: clock.now(), actor: "cli", action: "purge", target: residentID,
                    note:
                        "readings=\(counts.readings) history=\(counts.alertHistory) "
                        + "outbox_bodies=\(counts.outboxBodies) alerts=\(counts.alerts)"))
            return counts
        }
        return Outcome(residentKnown: resident != nil, devices: devices, counts: counts)
    }
}
