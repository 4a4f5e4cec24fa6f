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

/// What the writer remembers of one device row between readings. A city's devices each have one: the
/// words come first and the flags last, so no padding sits between them (48 bytes, not 56).
struct DeviceSlot {
    var ref: Int64
    /// The newest time the device was heard.
    var lastSeen: EpochMillis
    /// last_seen as the table holds it.
    var lastSeenWritten: EpochMillis
    var profile: String
    var registered: Bool
    var dirty: Bool
}
