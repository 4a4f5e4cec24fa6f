/// Collects every problem of one file so that all of them are reported at once.
struct RegistryDiagnostics {
    let path: String
    private(set) var all: [RegistryDiagnostic] = []

    init(path: String) {
        self.path = path
    }

    mutating func report(line: Int, _ message: String) {
        all.append(RegistryDiagnostic(path: path, line: line, message: message))
    }

    var isEmpty: Bool { all.isEmpty }

    /// The error to throw, diagnostics in line order (stable for equal lines).
    var error: RegistryLoadError {
        let ordered = all.enumerated().sorted {
            ($0.element.line, $0.offset) < ($1.element.line, $1.offset)
        }.map(\.element)
        return RegistryLoadError(diagnostics: ordered)
    }
}
