/// Alert severities, most severe first.
public enum Severity: UInt8, Sendable, Codable, Hashable, CaseIterable, Comparable {
    case critical = 0, urgent, warning, info

    public var name: String {
        switch self {
        case .critical: "critical"
        case .urgent: "urgent"
        case .warning: "warning"
        case .info: "info"
        }
    }
    public init?(name: String) {
        guard let s = Severity.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }
    /// Lower rawValue is more severe; `<` sorts most severe first.
    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}

/// Lifecycle of an alert.
public enum AlertState: String, Sendable, Codable, Hashable {
    case open, acknowledged, resolved
}
