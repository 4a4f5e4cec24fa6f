import AnxinCore

/// Writes a registry as YAML in the SPEC section 5 shape. Every string is double-quoted
/// (a phone number stays text, `no` stays a name), so the output loads back unchanged.
enum RegistryYAMLWriter {
    static func render(_ snapshot: RegistrySnapshot) -> String {
        var out = "# Anxin resident registry (SPEC section 5), \(snapshot.residents.count) residents\n"
        if snapshot.residents.isEmpty {
            out += "residents: []\n"
        } else {
            out += "residents:\n"
            for r in snapshot.residents { resident(r, into: &out) }
        }
        if snapshot.beds.isEmpty {
            out += "beds: []\n"
        } else {
            out += "beds:\n"
            for b in snapshot.beds {
                out += "  - code: \(quote(b.code))\n"
                if let room = b.room { out += "    room: \(quote(room))\n" }
                out += "    devices: \(list(b.devices))\n"
            }
        }
        return out
    }

    private static func resident(_ r: Resident, into out: inout String) {
        out += "  - id: \(quote(r.id))\n"
        out += "    name: \(quote(r.name))\n"
        func line(_ key: String, _ value: String?) {
            if let value { out += "    \(key): \(quote(value))\n" }
        }
        line("bed", r.bed)
        line("room", r.room)
        line("address", r.address)
        line("phone", r.phone)
        if !r.contacts.isEmpty {
            out += "    contacts:\n"
            for c in r.contacts { out += "      - \(contact(c))\n" }
        }
        if let level = r.careLevel { out += "    care_level: \(level)\n" }
        if !r.flags.isEmpty { out += "    flags: \(list(r.flags))\n" }
        if !r.devices.isEmpty { out += "    devices: \(list(r.devices))\n" }
        if let z = r.homeZone {
            out += "    home_zone: {lat: \(number(z.lat)), lon: \(number(z.lon)), radius_m: \(number(z.radiusM))}\n"
        }
        if !r.thresholds.isEmpty { out += "    thresholds: \(thresholds(r.thresholds))\n" }
        line("medical_notes", r.medicalNotes)
        if let k = r.keyHolder { out += "    key_holder: \(contact(k))\n" }
        if !r.sims.isEmpty {
            let pairs = r.sims.sorted { $0.key < $1.key }.map { "\(quote($0.key)): \(quote($0.value))" }
            out += "    sims: {\(pairs.joined(separator: ", "))}\n"
        }
    }

    private static func contact(_ c: Contact) -> String {
        var parts = ["name: \(quote(c.name))"]
        if let relation = c.relation { parts.append("relation: \(quote(relation))") }
        parts.append("phone: \(quote(c.phone))")
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// Nested where it can be (`bp_high: {systolic: 170}`), flat dotted keys otherwise;
    /// both load back to the same flattened keys.
    private static func thresholds(_ t: [String: Double]) -> String {
        var groups: [String: [(String, Double)]] = [:]
        var flat: [(String, Double)] = []
        for (key, value) in t {
            if let dot = key.firstIndex(of: ".") {
                groups[String(key[..<dot]), default: []].append((String(key[key.index(after: dot)...]), value))
            } else {
                flat.append((key, value))
            }
        }
        var parts: [(String, String)] = []
        for (key, value) in flat { parts.append((key, "\(quote(key)): \(number(value))")) }
        for (group, members) in groups {
            if t[group] != nil || members.contains(where: { $0.0.contains(".") }) {
                for (sub, value) in members {
                    parts.append((group + "." + sub, "\(quote(group + "." + sub)): \(number(value))"))
                }
            } else {
                let inner = members.sorted { $0.0 < $1.0 }.map { "\(quote($0.0)): \(number($0.1))" }
                parts.append((group, "\(quote(group)): {\(inner.joined(separator: ", "))}"))
            }
        }
        return "{" + parts.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ", ") + "}"
    }

    private static func list(_ items: [String]) -> String {
        "[" + items.map(quote).joined(separator: ", ") + "]"
    }

    /// Whole numbers without a fraction; others in Swift's shortest round-trip form.
    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// A YAML double-quoted scalar.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}":
                out += "\\u" + hex(u.value, width: 4)
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\x" + hex(u.value, width: 2)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }
}
