import AnxinCore

/// A mistake in a file, `path:line: message` (shared across Anxin's loaders).
public typealias RuleDiagnostic = FileDiagnostic

/// A rules file that cannot be used. The running rule set stays in force; every problem is listed.
public struct RuleLoadError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, in file order.
    public var diagnostics: [RuleDiagnostic]

    public init(diagnostics: [RuleDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
