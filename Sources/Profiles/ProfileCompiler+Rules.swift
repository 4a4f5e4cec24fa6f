import AnxinCore
import Yams

extension ProfileCompiler {
    static let readingKeys = [
        "kind", "field", "unit", "scale", "divide", "sentinel", "map", "when", "time", "required",
        "lat", "lon", "lat_hemisphere", "lon_hemisphere", "coordinates", "datum", "source", "accuracy",
    ]
    static let locationOnlyKeys = [
        "lat", "lon", "lat_hemisphere", "lon_hemisphere", "coordinates", "datum", "source", "accuracy",
    ]
    static let eventKeys = ["event", "field", "bits", "radix", "codes", "when"]

    /// One entry of `readings:`.
    func reading(_ node: Node, _ scope: MessageScope) -> ReadingRule? {
        guard let r = reader.mapping(node, "reading", allowed: Self.readingKeys, required: ["kind"]),
            let kindNode = r["kind"], let kindName = reader.string(kindNode, "'kind'")
        else { return nil }
        guard let kind = ReadingKind(name: kindName) else {
            let all = ReadingKind.allCases.map(\.name).joined(separator: ", ")
            reader.error(kindNode, "unknown reading kind '\(kindName)' (use one of: \(all))")
            return nil
        }
        let before = reader.diagnostics.count
        var rule = ReadingRule(kind: kind, label: kindName, source: .topicLevel(0))
        if kind == .location {
            for key in ["field", "unit", "scale", "divide", "sentinel", "map"] where r[key] != nil {
                reader.error(r.keys[key], "'\(key)' does not apply to kind: location")
            }
            rule.location = locationRule(r, scope)
            rule.label = "location"
        } else {
            for key in Self.locationOnlyKeys where r[key] != nil {
                reader.error(r.keys[key], "'\(key)' is only for kind: location")
            }
            if let f = r["field"] {
                if let (src, label) = source(f, "'field'", scope) {
                    rule.source = src
                    rule.label = label
                }
            } else {
                reader.error(node, "reading of kind '\(kindName)' is missing 'field'")
            }
        }
        let isBool = kind == .inBed || kind == .worn
        if let n = r["unit"], let unit = reader.string(n, "'unit'") {
            let allowed = UnitConversion.units(for: kind)
            if allowed.isEmpty {
                reader.error(n, "kind '\(kindName)' takes no unit")
            } else if !allowed.contains(unit) {
                reader.error(n, "unknown unit '\(unit)' for \(kindName) (use \(allowed.joined(separator: " or ")))")
            } else {
                rule.unit = UnitConversion.conversion(unit: unit)
            }
        }
        for key in ["scale", "divide"] {
            guard let n = r[key] else { continue }
            if isBool {
                reader.error(n, "'\(key)' does not apply to kind: \(kindName)")
            } else if let v = reader.double(n, "'\(key)'") {
                if v == 0 { reader.error(n, "'\(key)' must not be 0") }
                if key == "scale" { rule.scale = v } else { rule.divisor = v }
            }
        }
        if let n = r["sentinel"] {
            if isBool { reader.error(n, "'sentinel' does not apply to kind: \(kindName)") }
            rule.sentinels = reader.list(n, "'sentinel'").compactMap { reader.double($0, "a sentinel value") }
        }
        if let n = r["map"] { rule.map = valueMap(n, kind: kind) }
        if let n = r["when"] { rule.conditions = conditions(n, scope) }
        if let n = r["time"] { rule.time = timeRule(n, scope) }
        if let n = r["required"], let b = reader.bool(n, "'required'") { rule.required = b }
        return reader.diagnostics.count == before ? rule : nil
    }

    private func locationRule(_ r: YAMLEntries, _ scope: MessageScope) -> LocationRule? {
        guard let latNode = r["lat"], let lonNode = r["lon"] else {
            reader.error(r.node, "a location reading needs 'lat' and 'lon'")
            return nil
        }
        let lat = source(latNode, "'lat'", scope)
        let lon = source(lonNode, "'lon'", scope)
        let latH = r["lat_hemisphere"].flatMap { source($0, "'lat_hemisphere'", scope) }
        let lonH = r["lon_hemisphere"].flatMap { source($0, "'lon_hemisphere'", scope) }
        var nmea = false
        if let n = r["coordinates"], let s = reader.string(n, "'coordinates'") {
            switch s {
            case "decimal": nmea = false
            case "nmea": nmea = true
            default: reader.error(n, "unknown coordinates '\(s)' (use decimal or nmea)")
            }
        }
        var datum = profileDatum
        if let n = r["datum"], let d = self.datum(n) { datum = d }
        var locationSource = LocationSource.gps
        if let n = r["source"], let s = reader.string(n, "'source'") {
            if let ls = LocationSource(name: s) {
                locationSource = ls
            } else {
                reader.error(n, "unknown location source '\(s)' (use gps, wifi, lbs or fixed)")
            }
        }
        let accuracy = r["accuracy"].flatMap { source($0, "'accuracy'", scope) }
        guard let lat, let lon else { return nil }
        return LocationRule(
            lat: lat.0, lon: lon.0, latHemisphere: latH?.0, lonHemisphere: lonH?.0, nmea: nmea, datum: datum,
            source: locationSource, accuracy: accuracy?.0)
    }

    /// `map: {4: true, 0: false}` — payload value to reading value; other values give no reading.
    private func valueMap(_ node: Node, kind: ReadingKind) -> [MapEntry] {
        guard let mapping = node.mapping, !mapping.isEmpty else {
            reader.error(node, "'map' must be a mapping of payload value to reading value")
            return []
        }
        let isBool = kind == .inBed || kind == .worn
        var out: [MapEntry] = []
        for (key, value) in mapping {
            guard let match = reader.matchValue(key, "a 'map' key") else { continue }
            let v = reader.matchValue(value, "a 'map' value")
            switch (isBool, v) {
            case (true, .bool(let b)?): out.append(MapEntry(match: match, value: .bool(b)))
            case (false, .number(let d)?): out.append(MapEntry(match: match, value: .number(d)))
            case (true, _): reader.error(value, "'map' values of \(kind.name) must be true or false")
            case (false, _): reader.error(value, "'map' values of \(kind.name) must be numbers")
            }
        }
        return out
    }

    /// One entry of `events:` — a bare event name, `{event, when}`, `{field, bits}` or `{field, codes}`.
    func event(_ node: Node, _ scope: MessageScope) -> EventRule? {
        if node.scalar != nil {
            guard let kind = eventKind(node) else { return nil }
            return EventRule(trigger: .always(kind), label: kind.name)
        }
        guard let e = reader.mapping(node, "event", allowed: Self.eventKeys) else { return nil }
        let before = reader.diagnostics.count
        var conditions: [Condition] = []
        if let n = e["when"] { conditions = self.conditions(n, scope) }
        var rule: EventRule?
        if e["bits"] != nil || e["codes"] != nil {
            if e["bits"] != nil && e["codes"] != nil {
                reader.error(node, "an event takes 'bits' or 'codes', not both")
            }
            if let n = e.keys["event"] {
                reader.error(n, "'event' does not go with 'bits' or 'codes' (they name the events)")
            }
            guard let fieldNode = e["field"] else {
                reader.error(node, "an event with 'bits' or 'codes' needs 'field'")
                return nil
            }
            guard let (src, label) = source(fieldNode, "'field'", scope) else { return nil }
            if let bitsNode = e["bits"] {
                var radix = 16
                if let n = e["radix"], let r = reader.int(n, "'radix'", in: 10...16) {
                    if r != 10 && r != 16 { reader.error(n, "'radix' must be 10 or 16") }
                    radix = r
                }
                var bits: [EventRule.BitEvent] = []
                if let mapping = bitsNode.mapping, !mapping.isEmpty {
                    for (key, value) in mapping {
                        guard let bit = reader.int(key, "a bit number", in: 0...63), let kind = eventKind(value) else {
                            continue
                        }
                        bits.append(.init(bit: bit, kind: kind))
                    }
                } else {
                    reader.error(bitsNode, "'bits' must map bit numbers to events, like {16: sos, 21: fall}")
                }
                rule = EventRule(trigger: .bits(src, radix: radix, bits), label: label, conditions: conditions)
            } else if let codesNode = e["codes"] {
                if let n = e.keys["radix"] { reader.error(n, "'radix' is only for 'bits'") }
                var codes: [EventRule.CodeEvent] = []
                if let mapping = codesNode.mapping, !mapping.isEmpty {
                    for (key, value) in mapping {
                        guard let match = reader.matchValue(key, "a code"), let kind = eventKind(value) else {
                            continue
                        }
                        codes.append(.init(match: match, kind: kind))
                    }
                } else {
                    reader.error(codesNode, "'codes' must map alarm codes to events, like {\"01\": sos}")
                }
                rule = EventRule(trigger: .codes(src, codes), label: label, conditions: conditions)
            }
        } else {
            for key in ["field", "radix"] where e[key] != nil {
                reader.error(e.keys[key], "'\(key)' is only for events with 'bits' or 'codes'")
            }
            guard let n = e["event"] else {
                reader.error(node, "an event needs 'event', 'bits' or 'codes'")
                return nil
            }
            guard let kind = eventKind(n) else { return nil }
            rule = EventRule(trigger: .always(kind), label: kind.name, conditions: conditions)
        }
        return reader.diagnostics.count == before ? rule : nil
    }

    private func eventKind(_ node: Node) -> EventKind? {
        guard let s = reader.string(node, "an event name") else { return nil }
        guard let kind = EventKind(name: s) else {
            let all = EventKind.allCases.map(\.name).joined(separator: ", ")
            reader.error(node, "unknown event '\(s)' (use one of: \(all))")
            return nil
        }
        return kind
    }
}
