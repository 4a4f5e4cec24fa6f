import AnxinCore

/// A resident as staff see them: the registry entry, the latest value of each vital sign and the
/// alerts still open (`GET /api/v1/residents/{id}`).
public struct ResidentView: Sendable, Hashable {
    public var resident: Resident
    /// The latest value of each kind the source chose to show (usually the vital signs).
    public var vitals: [ReadingKind: LatestVital]
    /// Unresolved alerts (open or acknowledged), newest first.
    public var openAlerts: [AlertView]

    public init(resident: Resident, vitals: [ReadingKind: LatestVital] = [:], openAlerts: [AlertView] = []) {
        self.resident = resident
        self.vitals = vitals
        self.openAlerts = openAlerts
    }
}

/// The latest value of one kind and when it was measured.
public struct LatestVital: Sendable, Hashable {
    public var value: ReadingValue
    public var at: EpochMillis

    public init(value: ReadingValue, at: EpochMillis) {
        self.value = value
        self.at = at
    }
}
