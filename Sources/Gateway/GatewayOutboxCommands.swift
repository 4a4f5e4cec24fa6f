import AnxinCore
import Foundation
import Store

/// `anxin outbox list|requeue`: what the operator needs when the hotline refused an incident.
/// Works on the database while the daemon runs (SQLite WAL); the dispatcher picks a requeued
/// incident up at its next poll (within 30 s).
public enum GatewayOutbox {
    /// One line per pending or rejected incident: id, state, attempts, last answer.
    public static func list(config: GatewayConfig) throws -> [String] {
        let store = try Store(path: config.databasePath, readOnly: true)
        var lines: [String] = []
        for state in [IncidentState.rejected, .pending] {
            for item in try store.outboxItems(state: state, limit: 1000) {
                var line = "\(item.id)\t\(state.rawValue)\tattempts=\(item.attempts)"
                line += "\tcreated=\(Timestamp.iso8601(item.createdAt, utcOffsetSeconds: config.utcOffsetSeconds))"
                if let s = item.lastStatus { line += "\tstatus=\(s)" }
                if let e = item.lastError { line += "\terror=\(e)" }
                lines.append(line)
            }
        }
        return lines
    }

    /// Sends a rejected incident again. False when the id is unknown or already delivered.
    public static func requeue(config: GatewayConfig, id: String) throws -> Bool {
        let store = try Store(path: config.databasePath)
        let now = SystemWallClock().now()
        guard let item = try store.outboxItem(id: id) else { return false }
        return try store.inTransaction {
            guard try store.requeue(id: id, now: now) else { return false }
            try store.addHistory(
                alertID: item.alertID, at: now, action: .updated, by: "operator",
                note: "incident requeued for the hotline")
            return true
        }
    }
}
