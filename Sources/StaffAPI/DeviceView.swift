import AnxinCore

/// A device as staff see it: on the devices page (`GET /api/v1/devices`) and on a resident's card.
public struct DeviceView: Sendable, Hashable {
    /// The vendor's device id.
    public var id: String
    /// The profile that decoded its latest message; nil for a registered device never heard from.
    public var profile: String?
    /// The resident it is bound to (directly or through a bed), nil when unbound.
    public var resident: ResidentRef?
    /// True when the registry binds it to a resident or bed.
    public var registered: Bool
    /// When the gateway last heard from it; nil when never.
    public var lastSeen: EpochMillis?
    /// Latest battery level in percent, when it reports one.
    public var battery: Double?
    /// True when it has been quiet longer than its rules allow (`device_silent`).
    public var silent: Bool

    public init(
        id: String, profile: String? = nil, resident: ResidentRef? = nil, registered: Bool = true,
        lastSeen: EpochMillis? = nil, battery: Double? = nil, silent: Bool = false
    ) {
        self.id = id
        self.profile = profile
        self.resident = resident
        self.registered = registered
        self.lastSeen = lastSeen
        self.battery = battery
        self.silent = silent
    }
}

/// Which devices `GET /api/v1/devices?filter=` lists.
public enum DeviceFilter: String, Sendable, Hashable, CaseIterable {
    /// Quiet longer than their rules allow.
    case silent
    /// Battery at or below the low-battery threshold.
    case lowBattery = "low_battery"
    /// Heard from but bound to no resident or bed.
    case unregistered
}
