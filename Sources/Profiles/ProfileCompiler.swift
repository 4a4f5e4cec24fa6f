import AnxinCore
import Foundation
import Yams

/// Compiles the YAML of one profile file into a `CompiledProfile`, reporting every
/// mistake with its line. Used once per file per load.
final class ProfileCompiler {
    let reader: ProfileFileReader
    let defaultUTCOffsetSeconds: Int
    var isFrame = false
    var trie = PathTrieBuilder()
    var profileZone: Int
    var profileDatum: Datum = .wgs84
    var headerNames: [String] = []

    static let profileKeys = ["id", "description", "format", "topics", "zone", "datum", "device", "frame", "messages"]
    static let messageKeys = ["name", "topic", "command", "fields", "when", "device", "time", "readings", "events"]

    init(path: String, defaultUTCOffsetSeconds: Int) {
        reader = ProfileFileReader(path: path)
        self.defaultUTCOffsetSeconds = defaultUTCOffsetSeconds
        profileZone = defaultUTCOffsetSeconds
    }

    /// The file's problems in line order.
    var diagnostics: [ProfileDiagnostic] {
        reader.diagnostics.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
            .map(\.element)
    }

    /// The compiled profile and the line of its `id`, or nil when the file has errors.
    func compile(yaml text: String) -> (profile: CompiledProfile, idLine: Int)? {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                reader.error(line: 1, "profile file is empty")
                return nil
            }
            root = node
        } catch let e as YamlError {
            reportYAML(e)
            return nil
        } catch {
            reader.error(line: 1, "cannot read YAML")
            return nil
        }
        guard
            let top = reader.mapping(
                root, "profile", allowed: Self.profileKeys, required: ["id", "format", "topics", "messages"])
        else { return nil }

        var id = ""
        if let node = top["id"], let s = reader.string(node, "'id'") {
            if s.utf8.allSatisfy({
                (97...122).contains($0) || (48...57).contains($0) || $0 == 45 || $0 == 95 || $0 == 46
            }) {
                id = s
            } else {
                reader.error(node, "profile id '\(s)' may use only a-z, 0-9, '-', '_' and '.'")
            }
        }
        if let node = top["description"] { _ = reader.string(node, "'description'") }
        if let node = top["format"], let s = reader.string(node, "'format'") {
            switch s {
            case "json": isFrame = false
            case "frame": isFrame = true
            default: reader.error(node, "unknown format '\(s)' (use json or frame)")
            }
        }
        var filters: [TopicFilter] = []
        if let node = top["topics"] {
            let items = reader.list(node, "'topics'")
            for item in items {
                guard let s = reader.string(item, "a topic filter") else { continue }
                switch TopicFilter.parse(s) {
                case .success(let f): filters.append(f)
                case .failure(let e): reader.error(item, e.message)
                }
            }
            if items.isEmpty && node.sequence != nil { reader.error(node, "'topics' must not be empty") }
        }
        if let node = top["zone"], let z = zone(node) { profileZone = z }
        if let node = top["datum"], let d = datum(node) { profileDatum = d }

        var syntax = FrameSyntax()
        if let node = top["frame"] {
            if isFrame {
                syntax = frameSyntax(node)
            } else {
                reader.error(top.keys["frame"], "'frame' is only for format: frame")
            }
        } else if isFrame {
            reader.error(root, "a profile with format: frame needs a 'frame' block")
        }

        var messages: [MessageType] = []
        var maxSlots = headerNames.count
        if let node = top["messages"] {
            guard let seq = node.sequence, !seq.isEmpty else {
                reader.error(node, "'messages' must be a non-empty list")
                return nil
            }
            var names: Set<String> = []
            for item in seq {
                guard let (m, slots) = message(item, profileDevice: top["device"]) else { continue }
                if !names.insert(m.name).inserted {
                    reader.error(item, "duplicate message name '\(m.name)'")
                }
                maxSlots = max(maxSlots, slots)
                messages.append(m)
            }
        }
        if isFrame, let node = top["frame"], let frame = node.mapping, let lengthNode = frame["length"] {
            syntax.lengthSlot = lengthSlot(lengthNode, &syntax)
        }
        guard reader.diagnostics.isEmpty else { return nil }

        let format: CompiledProfile.Format
        var rootSlots = maxSlots
        var arrayCount = 0
        if isFrame {
            format = .frame(syntax)
        } else {
            let frozen = trie.freeze()
            rootSlots = frozen.rootSlotCount
            arrayCount = frozen.elementSlotCounts.count
            format = .json(frozen)
        }
        let profile = CompiledProfile(
            id: id, filters: filters, format: format, messages: messages, rootSlotCount: rootSlots,
            arrayCount: arrayCount)
        return (profile, reader.line(top["id"]))
    }

    private func reportYAML(_ e: YamlError) {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            reader.error(line: mark.line, "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            reader.error(line: context.mark.line, "duplicate key '\(duplicates.joined(separator: "', '"))'")
        case .reader(let problem, _, _, _):
            reader.error(line: 1, "YAML text: \(problem)")
        default:
            reader.error(line: 1, "cannot read YAML")
        }
    }

    // MARK: frame syntax

    private func frameSyntax(_ node: Node) -> FrameSyntax {
        var syntax = FrameSyntax()
        guard
            let f = reader.mapping(
                node, "'frame'",
                allowed: [
                    "start", "end", "end_optional", "header", "header_separator", "command_width", "separator",
                    "length",
                ], required: ["start"])
        else { return syntax }
        if let n = f["start"], let s = reader.string(n, "'start'") { syntax.start = Array(s.utf8) }
        if let n = f["end"], let s = reader.string(n, "'end'") { syntax.end = Array(s.utf8) }
        if let n = f["end_optional"], let b = reader.bool(n, "'end_optional'") {
            syntax.endOptional = b
            if f["end"] == nil { reader.error(n, "'end_optional' needs 'end'") }
        }
        if let n = f["header_separator"], let c = singleByte(n, "'header_separator'") { syntax.headerSeparator = c }
        if let n = f["separator"], let c = singleByte(n, "'separator'") { syntax.separator = c }
        if let n = f["command_width"], let w = reader.int(n, "'command_width'", in: 1...32) { syntax.commandWidth = w }
        if let n = f["header"] {
            guard let seq = n.sequence else {
                reader.error(n, "'header' must be a list of field names")
                return syntax
            }
            for item in seq {
                guard let name = reader.string(item, "a header field name") else { continue }
                if name != "_" && headerNames.contains(name) { reader.error(item, "duplicate field name '\(name)'") }
                headerNames.append(name)
            }
            syntax.headerCount = headerNames.count
        }
        return syntax
    }

    private func lengthSlot(_ node: Node, _ syntax: inout FrameSyntax) -> Int32 {
        guard let l = reader.mapping(node, "'length'", allowed: ["field", "radix"], required: ["field"]),
            let fieldNode = l["field"], let name = reader.string(fieldNode, "'field'")
        else { return -1 }
        if let r = l["radix"], let radix = reader.int(r, "'radix'", in: 10...16) {
            if radix != 10 && radix != 16 { reader.error(r, "'radix' must be 10 or 16") }
            syntax.lengthRadix = radix
        }
        guard let index = headerNames.firstIndex(of: name), name != "_" else {
            reader.error(fieldNode, "length field '\(name)' is not a header field")
            return -1
        }
        return Int32(index)
    }

    private func singleByte(_ node: Node, _ what: String) -> UInt8? {
        guard let s = reader.string(node, what) else { return nil }
        guard s.utf8.count == 1, let c = s.utf8.first, c >= 0x20, c < 0x7F else {
            reader.error(node, "\(what) must be one ASCII character")
            return nil
        }
        return c
    }

    // MARK: profile-wide values

    func zone(_ node: Node) -> Int? {
        guard let s = reader.string(node, "'zone'") else { return nil }
        switch s {
        case "UTC", "Z", "utc": return 0
        case "gateway": return defaultUTCOffsetSeconds
        default: break
        }
        let b = Array(s.utf8)
        if let sign = b.first, sign == 43 || sign == 45 {
            let digits = b.dropFirst().filter { $0 != 58 }
            let colonOK = b.count == 6 ? b[3] == 58 : !b.contains(58)
            if (digits.count == 2 || digits.count == 4), colonOK, digits.allSatisfy(PayloadText.isDigit) {
                let v = digits.map { Int($0 - 48) }
                let hours = v[0] * 10 + v[1]
                let minutes = digits.count == 4 ? v[2] * 10 + v[3] : 0
                if hours <= 14 && minutes < 60 {
                    return (hours * 3600 + minutes * 60) * (sign == 45 ? -1 : 1)
                }
            }
            reader.error(node, "zone '\(s)' is not an offset like +08:00")
            return nil
        }
        if let tz = TimeZone(identifier: s) { return tz.secondsFromGMT() }
        reader.error(
            node, "unknown zone '\(s)' (use UTC, gateway, an offset like +08:00, or a name like Asia/Shanghai)")
        return nil
    }

    func datum(_ node: Node) -> Datum? {
        guard let s = reader.string(node, "'datum'") else { return nil }
        switch s {
        case "wgs84": return .wgs84
        case "gcj02": return .gcj02
        case "bd09": return .bd09
        default:
            reader.error(node, "unknown datum '\(s)' (use wgs84, gcj02 or bd09)")
            return nil
        }
    }
}
