import AnxinCore

/// A mistake in a file, `path:line: message` (shared across Anxin's loaders).
public typealias RegistryDiagnostic = FileDiagnostic

/// A registry that cannot be used: the caller keeps its running registry (reload) or
/// refuses to start (`anxin check`, start-up) and prints every diagnostic.
public struct RegistryLoadError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, in file order.
    public var diagnostics: [RegistryDiagnostic]

    public init(diagnostics: [RegistryDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
