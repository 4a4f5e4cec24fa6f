import AnxinCore

/// A device as the database knows it: every device that ever sent a reading or event.
public struct DeviceRecord: Sendable, Hashable {
    /// The vendor's device id (IMEI, serial…).
    public var device: String
    /// The profile that decoded its latest message.
    public var profile: String
    /// When the gateway first and last received something from it.
    public var firstSeen: EpochMillis
    public var lastSeen: EpochMillis
    /// False while the registry binds it to no resident or bed.
    public var registered: Bool

    public init(device: String, profile: String, firstSeen: EpochMillis, lastSeen: EpochMillis, registered: Bool) {
        self.device = device
        self.profile = profile
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.registered = registered
    }
}

/// What the writer remembers of one device row between readings. A city's devices each have one, so
/// it is 32 bytes: the profile is a number (``Store/profileNames``, a city has a handful), and the
/// flags come last.
struct DeviceSlot {
    var ref: Int64
    /// The newest time the device was heard.
    var lastSeen: EpochMillis
    /// last_seen as the table holds it.
    var lastSeenWritten: EpochMillis
    /// Index in ``Store/profileNames``.
    var profile: UInt32
    var registered: Bool
    var dirty: Bool
}
