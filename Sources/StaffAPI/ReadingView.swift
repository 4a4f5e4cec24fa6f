import AnxinCore

/// One stored reading in a resident's history (`GET /api/v1/residents/{id}/readings`).
public struct ReadingView: Sendable, Hashable {
    public var kind: ReadingKind
    public var value: ReadingValue
    /// When the device measured it.
    public var at: EpochMillis
    /// The device that sent it.
    public var device: String

    public init(kind: ReadingKind, value: ReadingValue, at: EpochMillis, device: String) {
        self.kind = kind
        self.value = value
        self.at = at
        self.device = device
    }

    /// `{"kind": "heart_rate", "value": 78, "at": "2026-11-22T00:15:30Z", "device": "…"}`.
    public var jsonText: String {
        var o = JSONObjectText()
        o.string("kind", kind.name)
        o.raw("value", value.staffJSONText)
        o.string("at", Timestamp.iso8601(at))
        o.string("device", device)
        return o.json
    }
}

extension ReadingValue {
    /// A number as is, a yes/no state as `true`/`false`, a position as
    /// `{"lat", "lon", "datum": "wgs84", "source"}` plus `accuracy_m` when known (as `anxin decode`).
    var staffJSONText: String {
        switch self {
        case .number(let v): return JSONText.number(v)
        case .bool(let b): return b ? "true" : "false"
        case .location(let l):
            var o = JSONObjectText()
            o.number("lat", l.lat)
            o.number("lon", l.lon)
            o.string("datum", Datum.wgs84.name)
            o.string("source", l.source.name)
            if let a = l.accuracyM { o.number("accuracy_m", a) }
            return o.json
        }
    }
}
