/// One mistake in a file Anxin reads (configuration, profile, rules, registry), reported as
/// `path:line: message`. Line 0 means the whole file. Messages never carry a resident's data.
public struct FileDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { "\(path):\(line): \(message)" }
}
