import AnxinCore

extension ResidentView {
    /// Every registry field in snake_case (`id, name, bed, room, address, phone, contacts,
    /// care_level, flags, devices, home_zone, location, thresholds, medical_notes, key_holder, sims`),
    /// then `vitals` (`{"heart_rate": {"value", "at"}}`, in the order of `ReadingKind`) and
    /// `open_alerts`. `devices` are objects `{"id", "profile", "battery", "last_seen", "silent"}`;
    /// `location` is `{"lat", "lon", "datum", "at"}` or null.
    public var jsonText: String {
        let r = resident
        var o = JSONObjectText()
        o.string("id", r.id)
        o.string("name", r.name)
        o.string("bed", r.bed)
        o.string("room", r.room)
        o.string("address", r.address)
        o.string("phone", r.phone)
        o.raw("contacts", jsonArray(r.contacts.map(Self.contactJSON)))
        o.integer("care_level", r.careLevel)
        o.strings("flags", r.flags)
        o.raw("devices", jsonArray(devices.map(\.residentCardJSONText)))
        if let z = r.homeZone {
            var zone = JSONObjectText()
            zone.number("lat", z.lat)
            zone.number("lon", z.lon)
            zone.number("radius_m", z.radiusM)
            o.raw("home_zone", zone.json)
        } else {
            o.raw("home_zone", "null")
        }
        o.raw("location", location?.jsonText ?? "null")
        var thresholds = JSONObjectText()
        for key in r.thresholds.keys.sorted() { thresholds.number(key, r.thresholds[key]) }
        o.raw("thresholds", thresholds.json)
        o.string("medical_notes", r.medicalNotes)
        o.raw("key_holder", r.keyHolder.map(Self.contactJSON) ?? "null")
        var sims = JSONObjectText()
        for key in r.sims.keys.sorted() { sims.string(key, r.sims[key]) }
        o.raw("sims", sims.json)
        var vitalsObject = JSONObjectText()
        for kind in ReadingKind.allCases {
            guard let v = vitals[kind] else { continue }
            var entry = JSONObjectText()
            entry.raw("value", v.value.staffJSONText)
            entry.string("at", Timestamp.iso8601(v.at))
            vitalsObject.raw(kind.name, entry.json)
        }
        o.raw("vitals", vitalsObject.json)
        o.raw("open_alerts", jsonArray(openAlerts.map(\.jsonText)))
        return o.json
    }

    static func contactJSON(_ c: Contact) -> String {
        var o = JSONObjectText()
        o.string("name", c.name)
        o.string("relation", c.relation)
        o.string("phone", c.phone)
        return o.json
    }
}
