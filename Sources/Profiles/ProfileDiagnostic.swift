import AnxinCore

/// A mistake in a file, `path:line: message` (shared across Anxin's loaders).
public typealias ProfileDiagnostic = FileDiagnostic

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
