import Foundation
import Yams

/// Strict reading of a composed YAML tree that collects every problem with its line.
final class YAMLReader {
    let path: String
    var problems: [ConfigProblem] = []

    init(path: String) { self.path = path }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        case .composer(_, _, let mark, _): return mark.line
        default: return 0
        }
    }

    func problem(_ node: Node, _ message: String) {
        problems.append(ConfigProblem(path: path, line: node.mark?.line ?? 0, message: message))
    }

    /// Visits each key of a mapping; unknown keys and duplicates are problems. `allowed` nil: any
    /// key (a map of names chosen by the operator).
    func mapping(_ node: Node, allowed: Set<String>?, _ visit: (String, Node) -> Void) {
        guard case .mapping(let m) = node else {
            problem(node, "expected a mapping")
            return
        }
        var seen = Set<String>()
        for (k, v) in m {
            guard let key = k.string else {
                problem(k, "keys must be strings")
                continue
            }
            if let allowed, !allowed.contains(key) {
                problem(k, "unknown key '\(key)' (expected one of: \(allowed.sorted().joined(separator: ", ")))")
                continue
            }
            if !seen.insert(key).inserted {
                problem(k, "duplicate key '\(key)'")
                continue
            }
            visit(key, v)
        }
    }

    func string(_ node: Node) -> String? {
        guard case .scalar(let s) = node else {
            problem(node, "expected a text value")
            return nil
        }
        return s.string
    }

    func int(_ node: Node, in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let s) = node, let i = Int(s.string) else {
            problem(node, "expected a whole number")
            return nil
        }
        guard range.contains(i) else {
            problem(node, "\(i) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return i
    }

    func stringList(_ node: Node) -> [String]? {
        if case .scalar(let s) = node { return [s.string] }
        guard case .sequence(let seq) = node else {
            problem(node, "expected a list")
            return nil
        }
        var out: [String] = []
        for item in seq {
            if let s = string(item) { out.append(s) }
        }
        return out
    }
}
