import AnxinCore

/// Renders the hotline incident body of SPEC section 7: compact JSON, UTF-8, keys in the
/// SPEC's order, absent optional values as `null`. The bytes are rendered once, stored in the
/// outbox and sent unchanged on every retry, so the signature stays valid.
public enum IncidentBody {
    public static func render(_ incident: IncidentDraft) -> [UInt8] {
        let off = incident.utcOffsetSeconds
        var s = "{"
        s += "\"id\":" + JSONText.quote(incident.id)
        s += ",\"gateway_id\":" + JSONText.quote(incident.gatewayID)
        s += ",\"rule\":" + JSONText.quote(incident.rule)
        s += ",\"severity\":" + JSONText.quote(incident.severity.name)
        s += ",\"occurred_at\":" + time(incident.occurredAt, off)
        s += ",\"trigger\":" + trigger(incident.trigger)
        s += ",\"summary\":" + JSONText.quote(incident.summary)
        s += ",\"resident\":"
        if let r = incident.resident {
            s += resident(r, bed: incident.bedCode ?? r.bed, room: incident.room ?? r.room)
        } else {
            s += "null"
        }
        s += ",\"device\":" + device(incident.device)
        s += ",\"location\":"
        if let fix = incident.location {
            s += location(fix.location, at: time(fix.at, off))
        } else {
            s += "null"
        }
        s += ",\"vitals\":" + vitals(incident.vitals, off)
        s += "}"
        return Array(s.utf8)
    }

    private static func time(_ ms: EpochMillis, _ off: Int) -> String {
        JSONText.quote(Timestamp.iso8601(ms, utcOffsetSeconds: off))
    }

    private static func optional(_ v: String?) -> String {
        v.map(JSONText.quote) ?? "null"
    }

    private static func trigger(_ t: IncidentDraft.Trigger) -> String {
        switch t {
        case .event(let kind):
            return "{\"event\":" + JSONText.quote(kind.name) + "}"
        case .reading(let kind, let value):
            let v: String
            switch value {
            case .number(let n): v = JSONText.number(n)
            case .bool(let b): v = b ? "true" : "false"
            case .location(let l): v = location(l, at: nil)
            }
            return "{\"kind\":" + JSONText.quote(kind.name) + ",\"value\":" + v + "}"
        }
    }

    private static func contact(_ c: Contact, relation: Bool) -> String {
        var s = "{\"name\":" + JSONText.quote(c.name)
        if relation { s += ",\"relation\":" + optional(c.relation) }
        return s + ",\"phone\":" + JSONText.quote(c.phone) + "}"
    }

    private static func resident(_ r: Resident, bed: String?, room: String?) -> String {
        var s = "{\"id\":" + JSONText.quote(r.id)
        s += ",\"name\":" + JSONText.quote(r.name)
        s += ",\"bed\":" + optional(bed)
        s += ",\"room\":" + optional(room)
        s += ",\"address\":" + optional(r.address)
        s += ",\"phone\":" + optional(r.phone)
        s += ",\"contacts\":[" + r.contacts.map { contact($0, relation: true) }.joined(separator: ",") + "]"
        s += ",\"care_level\":" + (r.careLevel.map { String($0) } ?? "null")
        s += ",\"flags\":[" + r.flags.map(JSONText.quote).joined(separator: ",") + "]"
        s += ",\"medical_notes\":" + optional(r.medicalNotes)
        s += ",\"key_holder\":" + (r.keyHolder.map { contact($0, relation: false) } ?? "null")
        return s + "}"
    }

    private static func device(_ d: IncidentDraft.Device) -> String {
        var s = "{\"id\":" + JSONText.quote(d.id)
        s += ",\"profile\":" + JSONText.quote(d.profile)
        s += ",\"registered\":" + (d.registered ? "true" : "false")
        return s + ",\"sim\":" + optional(d.sim) + "}"
    }

    private static func location(_ l: Location, at: String?) -> String {
        var s = "{\"lat\":" + JSONText.number(l.lat) + ",\"lon\":" + JSONText.number(l.lon)
        s += ",\"datum\":\"wgs84\",\"source\":" + JSONText.quote(l.source.name)
        if let acc = l.accuracyM { s += ",\"accuracy_m\":" + JSONText.number(acc) }
        if let at { s += ",\"at\":" + at }
        return s + "}"
    }

    /// Keyed by kind name, in `ReadingKind` order; the latest value of each kind.
    private static func vitals(_ list: [IncidentDraft.Vital], _ off: Int) -> String {
        var latest: [IncidentDraft.Vital?] = Array(repeating: nil, count: ReadingKind.allCases.count)
        for v in list {
            let i = Int(v.kind.rawValue)
            if let old = latest[i], old.at > v.at { continue }
            latest[i] = v
        }
        let parts = latest.compactMap { v in
            v.map {
                JSONText.quote($0.kind.name) + ":{\"value\":" + JSONText.number($0.value) + ",\"at\":"
                    + time($0.at, off) + "}"
            }
        }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
