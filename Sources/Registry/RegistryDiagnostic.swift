/// One problem found in a registry file, reported as `path:line: message`.
///
/// The message names what is wrong and which key, never a resident's data: a registry
/// holds names, phone numbers and medical notes that must not reach a log line.
public struct RegistryDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// The registry file as it was named to the loader.
    public var path: String
    /// 1-based line in that file; 0 when the problem concerns the whole file.
    public var line: Int
    /// What is wrong, without values taken from the file.
    public var message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    /// `path:line: message`.
    public var description: String { "\(path):\(line): \(message)" }
}

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
