import AnxinCore

/// One mistake in a configuration file, reported as `path:line: message`.
public typealias ConfigProblem = FileDiagnostic

/// Every problem found while loading or checking the configuration and the files it names.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    public init(_ problems: [ConfigProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
