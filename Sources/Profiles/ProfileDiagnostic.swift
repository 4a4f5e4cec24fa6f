/// One problem found in a profile file, pointing at the line to fix.
///
/// Its description is `path:line: message`, the form `anxin check` prints.
public struct ProfileDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// The profile file (or folder) the problem is in.
    public var path: String
    /// 1-based line of the offending YAML node.
    public var line: Int
    /// What is wrong, in words an operator can act on.
    public var message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { "\(path):\(line): \(message)" }
}

/// Every problem found while loading a set of profiles. Nothing was loaded: a running
/// gateway keeps the set it has.
public struct ProfileLoadError: Error, Sendable, CustomStringConvertible {
    /// All problems, in file order.
    public var diagnostics: [ProfileDiagnostic]

    public init(diagnostics: [ProfileDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
