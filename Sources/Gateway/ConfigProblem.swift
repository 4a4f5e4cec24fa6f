/// One mistake in a configuration file, reported as `path:line: message`.
public struct ConfigProblem: Error, Sendable, CustomStringConvertible, Hashable {
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

/// Every problem found while loading or checking the configuration and the files it names.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    public init(_ problems: [ConfigProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
