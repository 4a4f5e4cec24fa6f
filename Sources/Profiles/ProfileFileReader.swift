import Yams

/// Reads the YAML nodes of one profile file strictly, collecting every problem with its
/// line instead of stopping at the first.
final class ProfileFileReader {
    let path: String
    private(set) var diagnostics: [ProfileDiagnostic] = []

    init(path: String) {
        self.path = path
    }

    func line(_ node: Node?) -> Int { node?.mark?.line ?? 1 }

    func error(_ node: Node?, _ message: String) {
        diagnostics.append(ProfileDiagnostic(path: path, line: line(node), message: message))
    }

    func error(line: Int, _ message: String) {
        diagnostics.append(ProfileDiagnostic(path: path, line: line, message: message))
    }

    /// A mapping's entries by key. Keys outside `allowed` are reported (at the key's line)
    /// and left out; `required` keys that are absent are reported at the mapping's line.
    func mapping(_ node: Node, _ what: String, allowed: [String], required: [String] = []) -> YAMLEntries? {
        guard let mapping = node.mapping else {
            error(node, "\(what) must be a mapping")
            return nil
        }
        var entries = YAMLEntries(node: node)
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error(key, "\(what) has a key that is not a plain name")
                continue
            }
            guard allowed.contains(name) else {
                error(key, "unknown key '\(name)' in \(what) (allowed: \(allowed.joined(separator: ", ")))")
                continue
            }
            entries.values[name] = value
            entries.keys[name] = key
        }
        for name in required where entries.values[name] == nil {
            error(node, "\(what) is missing '\(name)'")
        }
        return entries
    }

    func string(_ node: Node, _ what: String) -> String? {
        guard let s = node.scalar, s.style != .plain || !["~", "null", "Null", "NULL"].contains(s.string) else {
            error(node, "\(what) must be a text value")
            return nil
        }
        guard !s.string.isEmpty else {
            error(node, "\(what) must not be empty")
            return nil
        }
        return s.string
    }

    func int(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let s = node.scalar, let v = Int(s.string) else {
            error(node, "\(what) must be a whole number")
            return nil
        }
        guard range.contains(v) else {
            error(node, "\(what) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return v
    }

    func double(_ node: Node, _ what: String) -> Double? {
        guard let s = node.scalar, let v = Double(s.string), v.isFinite else {
            error(node, "\(what) must be a number")
            return nil
        }
        return v
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        switch node.scalar?.string {
        case "true": return true
        case "false": return false
        default:
            error(node, "\(what) must be true or false")
            return nil
        }
    }

    /// A single scalar or a sequence of scalars, each with its node.
    func list(_ node: Node, _ what: String) -> [Node] {
        if node.scalar != nil { return [node] }
        if let seq = node.sequence { return Array(seq) }
        error(node, "\(what) must be a value or a list")
        return []
    }

    /// A scalar as a value to compare payload values with: quoted scalars are text; plain
    /// ones are numbers when they read as numbers, booleans when `true`/`false`, else text.
    func matchValue(_ node: Node, _ what: String) -> MatchValue? {
        guard let s = node.scalar else {
            error(node, "\(what) must be a single value")
            return nil
        }
        if s.style == .plain {
            if let d = Double(s.string), d.isFinite,
                s.string.first.map({ $0.isNumber || $0 == "-" || $0 == "+" }) == true
            {
                return .number(d)
            }
            if s.string == "true" { return .bool(true) }
            if s.string == "false" { return .bool(false) }
        }
        return .text(Array(s.string.utf8))
    }
}

/// The entries of one YAML mapping, with key nodes kept for line numbers.
struct YAMLEntries {
    let node: Node
    var values: [String: Node] = [:]
    var keys: [String: Node] = [:]

    subscript(_ key: String) -> Node? { values[key] }
}
