/// One problem found in a rules file, located by file and line.
///
/// The message names keys and values of the rules file only, never a resident's data.
public struct RuleDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the problem is in (as given to the loader).
    public var path: String
    /// 1-based line of the offending key or value.
    public var line: Int
    /// What is wrong and, where it helps, what is allowed.
    public var message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    /// `path:line: message`, the form `anxin check` prints.
    public var description: String { "\(path):\(line): \(message)" }
}

/// A rules file that cannot be used. The running rule set stays in force; every problem is listed.
public struct RuleLoadError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, in file order.
    public var diagnostics: [RuleDiagnostic]

    public init(diagnostics: [RuleDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
