import AnxinCore
import Yams

/// Reads the SPEC section 5 registry shape from a composed YAML tree, strictly: every
/// unknown key, wrong type and out-of-range value is reported with its line, and
/// reading goes on so that one run shows every problem.
struct RegistryYAMLReader {
    var log: RegistryDiagnostics

    static let topKeys: Set<String> = ["residents", "beds"]
    static let residentKeys: Set<String> = [
        "id", "name", "bed", "room", "address", "phone", "contacts", "care_level", "flags", "devices",
        "home_zone", "thresholds", "medical_notes", "key_holder", "sims",
    ]
    static let bedKeys: Set<String> = ["code", "room", "devices"]
    static let contactKeys: Set<String> = ["name", "relation", "phone"]
    static let homeZoneKeys: Set<String> = ["lat", "lon", "radius_m", "datum"]

    init(path: String) {
        log = RegistryDiagnostics(path: path)
    }

    /// Parses `text`; problems land in `log`.
    ///
    /// A registry in the usual block layout (`residents:` and `beds:` at the margin, one `- ` item per
    /// entry) is composed a few thousand entries at a time (`RegistryYAMLChunks`): the whole file's
    /// node tree took ~360 MB for 100,000 residents. Anything else — and any chunk that does not
    /// compose — is read whole, so diagnostics are the same either way.
    mutating func read(_ text: String) -> RegistryDraft {
        if let sections = RegistryYAMLChunks.split(text) {
            var chunked = RegistryYAMLReader(path: log.path)
            if let draft = chunked.readChunked(sections) {
                self = chunked
                return draft
            }
        }
        return readWhole(text)
    }

    /// Reads the chunks of `RegistryYAMLChunks.split`; nil when one does not compose as expected.
    mutating func readChunked(_ sections: [RegistryYAMLChunks.Section]) -> RegistryDraft? {
        var draft = RegistryDraft()
        for section in sections {
            for chunk in section.chunks {
                let root: Node?
                do {
                    root = try Yams.compose(yaml: chunk.text, .basic)
                } catch {
                    return nil
                }
                guard case .mapping(let top)? = root, top.count == 1, let (key, value) = top.first,
                    key.string == section.key, case .sequence(let items) = value
                else { return nil }
                if section.key == "residents" {
                    for item in items {
                        if let entry = resident(RegistryNode(item, lineOffset: chunk.lineOffset)) {
                            draft.residents.append(entry)
                        }
                    }
                } else {
                    for item in items {
                        if let entry = bed(RegistryNode(item, lineOffset: chunk.lineOffset)) {
                            draft.beds.append(entry)
                        }
                    }
                }
            }
        }
        return draft
    }

    /// Composes the whole file at once.
    mutating func readWhole(_ text: String) -> RegistryDraft {
        var draft = RegistryDraft()
        let composed: Node?
        do {
            // No tag resolution: values are read from their text and style below, and
            // the default resolver's regular expressions dominate parse time.
            composed = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            reportSyntax(error)
            return draft
        } catch {
            log.report(line: 0, "not readable as YAML")
            return draft
        }
        guard let composed else { return draft }  // an empty file is an empty registry
        let root = RegistryNode(composed, lineOffset: 0)
        guard let top = mapping(root, "the registry") else { return draft }
        for (key, value) in top {
            guard let name = keyName(key, allowed: Self.topKeys, in: "the registry") else { continue }
            guard let items = sequence(value, name) else { continue }
            if name == "residents" {
                draft.residents.reserveCapacity(items.count)
                for item in items {
                    if let entry = resident(item) { draft.residents.append(entry) }
                }
            } else {
                for item in items {
                    if let entry = bed(item) { draft.beds.append(entry) }
                }
            }
        }
        return draft
    }

    // MARK: entries

    mutating func resident(_ node: RegistryNode) -> RegistryDraft.ResidentEntry? {
        guard let map = mapping(node, "a resident") else { return nil }
        let line = node.line
        var r = Resident(id: "", name: "")
        var hasID = false
        var hasName = false
        var bedLine = line
        var deviceLines: [Int] = []
        var simsNode: RegistryNode?
        for (key, value) in map {
            guard let name = keyName(key, allowed: Self.residentKeys, in: "a resident") else { continue }
            switch name {
            case "id":
                hasID = true
                r.id = nonEmpty(value, "id") ?? ""
            case "name":
                hasName = true
                r.name = nonEmpty(value, "name") ?? ""
            case "bed":
                r.bed = optionalText(value, "bed")
                bedLine = value.line
            case "room": r.room = optionalText(value, "room")
            case "address": r.address = optionalText(value, "address")
            case "phone": r.phone = optionalPhone(value, "phone")
            case "contacts":
                r.contacts = (sequence(value, "contacts") ?? []).compactMap { contact($0, "a contact") }
            case "care_level": r.careLevel = careLevel(value)
            case "flags": r.flags = (sequence(value, "flags") ?? []).compactMap { text($0, "a flag") }
            case "devices":
                for item in sequence(value, "devices") ?? [] {
                    guard let id = deviceID(item) else { continue }
                    r.devices.append(id)
                    deviceLines.append(item.line)
                }
            case "home_zone": r.homeZone = homeZone(value)
            case "thresholds": r.thresholds = thresholds(value)
            case "medical_notes": r.medicalNotes = optionalText(value, "medical_notes")
            case "key_holder": r.keyHolder = isNull(value) ? nil : contact(value, "key_holder")
            default: simsNode = value
            }
        }
        if !hasID { log.report(line: line, "a resident needs an id") }
        if !hasName { log.report(line: line, "a resident needs a name") }
        if let simsNode { r.sims = sims(simsNode, devices: Set(r.devices)) }
        return RegistryDraft.ResidentEntry(resident: r, line: line, bedLine: bedLine, deviceLines: deviceLines)
    }

    mutating func bed(_ node: RegistryNode) -> RegistryDraft.BedEntry? {
        guard let map = mapping(node, "a bed") else { return nil }
        let line = node.line
        var b = Bed(code: "")
        var hasCode = false
        var deviceLines: [Int] = []
        for (key, value) in map {
            guard let name = keyName(key, allowed: Self.bedKeys, in: "a bed") else { continue }
            switch name {
            case "code":
                hasCode = true
                b.code = nonEmpty(value, "code") ?? ""
            case "room": b.room = optionalText(value, "room")
            default:
                for item in sequence(value, "devices") ?? [] {
                    guard let id = deviceID(item) else { continue }
                    b.devices.append(id)
                    deviceLines.append(item.line)
                }
            }
        }
        if !hasCode { log.report(line: line, "a bed needs a code") }
        return RegistryDraft.BedEntry(bed: b, line: line, deviceLines: deviceLines)
    }

    private mutating func contact(_ node: RegistryNode, _ what: String) -> Contact? {
        guard let map = mapping(node, what) else { return nil }
        var name: String?
        var relation: String?
        var phone: String?
        for (key, value) in map {
            guard let k = keyName(key, allowed: Self.contactKeys, in: what) else { continue }
            switch k {
            case "name": name = text(value, "name")
            case "relation": relation = optionalText(value, "relation")
            default: phone = self.phone(value, "phone")
            }
        }
        if name == nil { log.report(line: node.line, "\(what) needs a name") }
        if phone == nil { log.report(line: node.line, "\(what) needs a phone") }
        guard let name, let phone else { return nil }
        return Contact(name: name, relation: relation, phone: phone)
    }

    private mutating func homeZone(_ node: RegistryNode) -> HomeZone? {
        if isNull(node) { return nil }
        guard let map = mapping(node, "home_zone") else { return nil }
        var lat: Double?
        var lon: Double?
        var radius: Double?
        var datum = Datum.wgs84
        var ok = true
        for (key, value) in map {
            guard let k = keyName(key, allowed: Self.homeZoneKeys, in: "home_zone") else { continue }
            switch k {
            case "lat":
                lat = number(value, "lat")
                if let v = lat, !(-90.0...90.0).contains(v) {
                    log.report(line: value.line, "lat must be between -90 and 90")
                    ok = false
                }
            case "lon":
                lon = number(value, "lon")
                if let v = lon, !(-180.0...180.0).contains(v) {
                    log.report(line: value.line, "lon must be between -180 and 180")
                    ok = false
                }
            case "radius_m":
                radius = number(value, "radius_m")
                if let v = radius, !(v > 0) {
                    log.report(line: value.line, "radius_m must be greater than 0")
                    ok = false
                }
            default:
                if let s = text(value, "datum") {
                    if let d = Datum(name: s.lowercased()) {
                        datum = d
                    } else {
                        log.report(line: value.line, "datum must be one of wgs84, gcj02, bd09")
                        ok = false
                    }
                }
            }
        }
        for (name, v) in [("lat", lat), ("lon", lon), ("radius_m", radius)] where v == nil {
            log.report(line: node.line, "home_zone needs \(name)")
        }
        guard ok, let lat, let lon, let radius else { return nil }
        let w = datum.toWGS84(lat: lat, lon: lon)
        return HomeZone(lat: w.lat, lon: w.lon, radiusM: radius)
    }

    /// `{heart_rate_high: 140, bp_high: {systolic: 170}}` -> `heart_rate_high`, `bp_high.systolic`.
    private mutating func thresholds(_ node: RegistryNode) -> [String: Double] {
        if isNull(node) { return [:] }
        guard let map = mapping(node, "thresholds") else { return [:] }
        var out: [String: Double] = [:]
        for (key, value) in map {
            guard let k = keyName(key, allowed: nil, in: "thresholds") else { continue }
            if let inner = value.mapping {
                for (subKey, subValue) in inner {
                    guard let s = keyName(subKey, allowed: nil, in: "thresholds") else { continue }
                    if let v = number(subValue, "a threshold") { out[k + "." + s] = v }
                }
            } else if let v = number(value, "a threshold") {
                out[k] = v
            }
        }
        return out
    }

    private mutating func sims(_ node: RegistryNode, devices: Set<String>) -> [String: String] {
        if isNull(node) { return [:] }
        guard let map = mapping(node, "sims") else { return [:] }
        var out: [String: String] = [:]
        for (key, value) in map {
            guard let device = deviceID(key) else { continue }
            if !devices.contains(device) {
                log.report(line: key.line, "sims names a device that is not in this resident's devices")
            }
            if let number = phone(value, "a SIM number") { out[device] = number }
        }
        return out
    }

    // MARK: scalars

    private mutating func careLevel(_ node: RegistryNode) -> Int? {
        if isNull(node) { return nil }
        guard let s = node.scalar, s.plain, let v = Int(s.string), (0...4).contains(v) else {
            log.report(line: node.line, "care_level must be a whole number from 0 to 4")
            return nil
        }
        return v
    }

    private mutating func number(_ node: RegistryNode, _ what: String) -> Double? {
        guard let s = node.scalar, s.plain, let v = Double(s.string), v.isFinite else {
            log.report(line: node.line, "\(what) must be a number")
            return nil
        }
        return v
    }

    private mutating func deviceID(_ node: RegistryNode) -> String? {
        guard let s = text(node, "a device id") else { return nil }
        if s.isEmpty || s.hasWhitespace {
            log.report(line: node.line, "a device id must be non-empty and without spaces")
            return nil
        }
        return s
    }

    private mutating func optionalPhone(_ node: RegistryNode, _ what: String) -> String? {
        isNull(node) ? nil : phone(node, what)
    }

    /// A phone number as written; an unquoted YAML integer is taken as its digits.
    private mutating func phone(_ node: RegistryNode, _ what: String) -> String? {
        guard let s = text(node, what) else { return nil }
        guard RegistryPhone.isPlausible(s) else {
            log.report(line: node.line, "\(what) must be digits, optionally with + - ( ) # , and spaces")
            return nil
        }
        return s
    }

    private mutating func nonEmpty(_ node: RegistryNode, _ what: String) -> String? {
        guard let s = text(node, what) else { return nil }
        if s.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            log.report(line: node.line, "\(what) must not be empty")
            return nil
        }
        return s
    }

    private mutating func optionalText(_ node: RegistryNode, _ what: String) -> String? {
        isNull(node) ? nil : text(node, what)
    }

    private mutating func text(_ node: RegistryNode, _ what: String) -> String? {
        guard let s = node.scalar, !isNull(node) else {
            log.report(line: node.line, "\(what) must be a single value")
            return nil
        }
        return s.string
    }

    private func isNull(_ node: RegistryNode) -> Bool {
        guard let s = node.scalar else { return false }
        guard s.plain, s.string.utf8.count <= 4 else { return false }
        switch s.string {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    // MARK: structure

    private mutating func keyName(_ key: RegistryNode, allowed: Set<String>?, in what: String) -> String? {
        guard let s = key.scalar else {
            log.report(line: key.line, "a key in \(what) must be a plain name")
            return nil
        }
        if let allowed, !allowed.contains(s.string) {
            let known = allowed.sorted().joined(separator: ", ")
            log.report(line: key.line, "unknown key '\(s.string)' in \(what) (known: \(known))")
            return nil
        }
        return s.string
    }

    private mutating func mapping(_ node: RegistryNode, _ what: String) -> [(key: RegistryNode, value: RegistryNode)]? {
        guard let m = node.mapping else {
            log.report(line: node.line, "\(what) must be a mapping of keys to values")
            return nil
        }
        return m
    }

    private mutating func sequence(_ node: RegistryNode, _ what: String) -> [RegistryNode]? {
        if isNull(node) { return [] }
        guard let s = node.sequence else {
            log.report(line: node.line, "\(what) must be a list")
            return nil
        }
        return s
    }

    private mutating func reportSyntax(_ error: YamlError) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            log.report(line: mark.line, "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(_, let context):
            log.report(line: context.mark.line, "duplicate key in a mapping")
        case .reader(let problem, _, _, _):
            log.report(line: 0, "YAML reader: \(problem)")
        default:
            log.report(line: 0, "not readable as YAML")
        }
    }
}

extension String {
    /// Whether any scalar is white space; an ASCII text is checked byte by byte.
    fileprivate var hasWhitespace: Bool {
        if utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return false }
        return unicodeScalars.contains { $0.properties.isWhitespace }
    }
}
