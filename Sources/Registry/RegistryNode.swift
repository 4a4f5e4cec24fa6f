import Yams

/// A composed YAML node as the registry reader needs it: a scalar's text and whether it was
/// plain, mappings in file order, sequences, and the file line each starts on.
///
/// Both `RegistryBlockYAML` (the registry's usual layout, read directly) and Yams (anything
/// else, and every file with a problem) produce it, so one reader gives the same entries and
/// diagnostics whichever composed the file.
enum RegistryNode {
    case scalar(String, plain: Bool, line: Int)
    case mapping([(key: RegistryNode, value: RegistryNode)], line: Int)
    case sequence([RegistryNode], line: Int)

    /// Yams' node with its lines shifted by `lineOffset`. Aliases are resolved by Yams'
    /// composer, so none reach here; one would read as a quoted empty text.
    init(_ node: Node, lineOffset: Int) {
        let line = node.mark.map { $0.line + lineOffset } ?? 0
        switch node {
        case .scalar(let s):
            self = .scalar(s.string, plain: s.style == .plain, line: line)
        case .mapping(let m):
            self = .mapping(
                m.map {
                    (
                        key: RegistryNode($0.key, lineOffset: lineOffset),
                        value: RegistryNode($0.value, lineOffset: lineOffset)
                    )
                },
                line: line)
        case .sequence(let items):
            self = .sequence(items.map { RegistryNode($0, lineOffset: lineOffset) }, line: line)
        case .alias:
            self = .scalar("", plain: false, line: line)
        }
    }

    var line: Int {
        switch self {
        case .scalar(_, _, let line), .mapping(_, let line), .sequence(_, let line): return line
        }
    }

    /// The text and style of a scalar; nil for a collection.
    var scalar: (string: String, plain: Bool)? {
        if case .scalar(let s, let plain, _) = self { return (s, plain) }
        return nil
    }

    var mapping: [(key: RegistryNode, value: RegistryNode)]? {
        if case .mapping(let pairs, _) = self { return pairs }
        return nil
    }

    var sequence: [RegistryNode]? {
        if case .sequence(let items, _) = self { return items }
        return nil
    }
}
