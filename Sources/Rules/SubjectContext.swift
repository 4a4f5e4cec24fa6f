import AnxinCore

/// What the registry says about the device an observation came from.
public struct SubjectContext: Sendable {
    /// The resident the device is bound to; nil for an unbound device.
    public var residentID: String?
    /// The resident's threshold overrides (`heart_rate_high`, `bp_high.systolic`, …).
    public var thresholds: [String: Double]
    /// The resident's home zone, for geofence rules.
    public var homeZone: HomeZone?

    public init(residentID: String? = nil, thresholds: [String: Double] = [:], homeZone: HomeZone? = nil) {
        self.residentID = residentID
        self.thresholds = thresholds
        self.homeZone = homeZone
    }

    /// An unbound device: no resident, no overrides, no zone.
    public static let unbound = SubjectContext()

    /// The context of a resident from the registry.
    public init(resident: Resident) {
        self.init(residentID: resident.id, thresholds: resident.thresholds, homeZone: resident.homeZone)
    }
}
