import AnxinCore
import Foundation
import Store

/// `anxin readings --device ID`: a device's stored readings as CSV, newest first, for operators (the
/// history is kept in blocks, which plain SQL cannot read). Reads a read-only connection, so it is
/// safe while the daemon runs; staged readings are included.
public enum GatewayReadingsExport {
    public static let header = "device,kind,measured_at,received_at,value,lon,accuracy_m,flags"

    /// The CSV lines (without the header) of `devices`' readings measured at or after `since`, of
    /// `kind` or all, newest first, at most `limit`.
    /// - Throws: `SQLiteError` when the database cannot be opened or read.
    public static func lines(
        config: GatewayConfig, devices: [String], kind: ReadingKind?, since: EpochMillis, limit: Int
    ) throws -> [String] {
        let store = try Store(path: config.databasePath, readOnly: true)
        defer { store.close() }
        return try store.readings(device: devices, kind: kind, since: since, limit: limit).map(line)
    }

    static func line(_ r: Reading) -> String {
        let value: String
        var lon = ""
        var accuracy = ""
        switch r.value {
        case .number(let v): value = JSONText.number(v)
        case .bool(let b): value = b ? "true" : "false"
        case .location(let l):
            value = JSONText.number(l.lat)
            lon = JSONText.number(l.lon)
            accuracy = l.accuracyM.map(JSONText.number) ?? ""
        }
        return [
            csvField(r.device), r.kind.name, Timestamp.iso8601(r.measuredAt), Timestamp.iso8601(r.receivedAt), value,
            lon, accuracy, r.flags.names.joined(separator: "|"),
        ].joined(separator: ",")
    }

    /// A device id as a CSV field: quoted when it holds a comma, a quote or a line break.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
