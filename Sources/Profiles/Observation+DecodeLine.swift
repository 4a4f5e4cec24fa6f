import AnxinCore

extension Observation {
    /// The JSON line `anxin decode` prints for this observation (SPEC section 1):
    /// `{"device": "…", "profile": "…", "kind": "heart_rate", "value": 78, "at": "…", "flags": […]}`
    /// for a reading, `{"device": "…", "profile": "…", "event": "sos", "at": "…"}` for an event.
    /// Values are printed unrounded; `at` is UTC with milliseconds when they are not zero.
    public func decodeLine(profile: String) -> String {
        switch self {
        case .reading(let r):
            var s = "{\"device\": " + JSONText.quote(r.device)
            s += ", \"profile\": " + JSONText.quote(profile)
            s += ", \"kind\": " + JSONText.quote(r.kind.name)
            s += ", \"value\": " + Self.valueText(r.value)
            s += ", \"at\": " + JSONText.quote(Timestamp.iso8601(r.measuredAt))
            s += ", \"flags\": [" + r.flags.names.map(JSONText.quote).joined(separator: ", ") + "]}"
            return s
        case .event(let e):
            var s = "{\"device\": " + JSONText.quote(e.device)
            s += ", \"profile\": " + JSONText.quote(profile)
            s += ", \"event\": " + JSONText.quote(e.kind.name)
            s += ", \"at\": " + JSONText.quote(Timestamp.iso8601(e.measuredAt)) + "}"
            return s
        }
    }

    static func valueText(_ value: ReadingValue) -> String {
        switch value {
        case .number(let v):
            return JSONText.number(v)
        case .bool(let b):
            return b ? "true" : "false"
        case .location(let l):
            var s = "{\"lat\": " + JSONText.number(l.lat) + ", \"lon\": " + JSONText.number(l.lon)
            s += ", \"datum\": \"wgs84\", \"source\": " + JSONText.quote(l.source.name)
            if let a = l.accuracyM { s += ", \"accuracy_m\": " + JSONText.number(a) }
            return s + "}"
        }
    }
}
