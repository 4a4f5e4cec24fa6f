import Store

/// What staff asked to silence (`POST /api/v1/silences`), checked for shape by the API. The
/// gateway refuses what policy forbids (an SOS or fall rule, an unknown resident).
public struct SilenceRequest: Sendable, Hashable {
    public var scope: SilenceRecord.Scope
    /// Resident id, device id or rule name.
    public var target: String
    /// How long, 1 minute to 30 days.
    public var minutes: Int
    /// Why (in hospital, device charging, family visit).
    public var reason: String

    public init(scope: SilenceRecord.Scope, target: String, minutes: Int, reason: String) {
        self.scope = scope
        self.target = target
        self.minutes = minutes
        self.reason = reason
    }

    /// The longest silence the API accepts, in minutes.
    public static let maxMinutes = 30 * 24 * 60
}
