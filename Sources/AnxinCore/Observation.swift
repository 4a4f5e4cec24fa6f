/// Milliseconds since the Unix epoch, UTC. Every time inside Anxin is one of these.
public typealias EpochMillis = Int64

/// The normalized measures a device can report (SPEC section 4).
public enum ReadingKind: UInt8, CaseIterable, Sendable, Codable, Hashable {
    case heartRate, systolic, diastolic, spo2, respirationRate, bodyTemp, bloodGlucose
    case battery, steps, location, inBed, worn

    /// The name used in files, JSON and the database.
    public var name: String {
        switch self {
        case .heartRate: "heart_rate"
        case .systolic: "systolic"
        case .diastolic: "diastolic"
        case .spo2: "spo2"
        case .respirationRate: "respiration_rate"
        case .bodyTemp: "body_temp"
        case .bloodGlucose: "blood_glucose"
        case .battery: "battery"
        case .steps: "steps"
        case .location: "location"
        case .inBed: "in_bed"
        case .worn: "worn"
        }
    }

    public init?(name: String) {
        guard let k = ReadingKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = k
    }

    /// Vital signs, as opposed to device status.
    public var isVitalSign: Bool {
        switch self {
        case .heartRate, .systolic, .diastolic, .spo2, .respirationRate, .bodyTemp, .bloodGlucose: true
        default: false
        }
    }
}

/// Device events (SPEC section 4).
public enum EventKind: UInt8, CaseIterable, Sendable, Codable, Hashable {
    case sos, fall, bedExit, notWorn, lowBattery, powerOff

    public var name: String {
        switch self {
        case .sos: "sos"
        case .fall: "fall"
        case .bedExit: "bed_exit"
        case .notWorn: "not_worn"
        case .lowBattery: "low_battery"
        case .powerOff: "power_off"
        }
    }

    public init?(name: String) {
        guard let k = EventKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = k
    }
}

/// Map datum of a coordinate pair.
public enum Datum: UInt8, Sendable, Codable, Hashable, CaseIterable {
    case wgs84, gcj02, bd09
    public init?(name: String) {
        guard let d = Datum.allCases.first(where: { $0.name == name }) else { return nil }
        self = d
    }
    public var name: String {
        switch self {
        case .wgs84: "wgs84"
        case .gcj02: "gcj02"
        case .bd09: "bd09"
        }
    }
}

/// Where a position came from.
public enum LocationSource: UInt8, Sendable, Codable, Hashable {
    case gps, wifi, lbs, fixed
    public var name: String {
        switch self {
        case .gps: "gps"
        case .wifi: "wifi"
        case .lbs: "lbs"
        case .fixed: "fixed"
        }
    }
    public init?(name: String) {
        switch name {
        case "gps": self = .gps
        case "wifi": self = .wifi
        case "lbs": self = .lbs
        case "fixed": self = .fixed
        default: return nil
        }
    }
}

/// A position, always WGS-84 once normalized.
public struct Location: Sendable, Hashable, Codable {
    public var lat: Double
    public var lon: Double
    public var accuracyM: Double?
    public var source: LocationSource

    public init(lat: Double, lon: Double, accuracyM: Double? = nil, source: LocationSource = .gps) {
        self.lat = lat
        self.lon = lon
        self.accuracyM = accuracyM
        self.source = source
    }
}

/// The value of a reading: a number in the kind's unit, a position, or a yes/no state.
public enum ReadingValue: Sendable, Hashable {
    case number(Double)
    case location(Location)
    case bool(Bool)

    public var number: Double? {
        switch self {
        case .number(let v): v
        case .bool(let b): b ? 1 : 0
        case .location: nil
        }
    }
}

/// Flags carried by a reading or event.
public struct ObservationFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// The device clock was plainly wrong; the receive time was used instead.
    public static let clockCorrected = ObservationFlags(rawValue: 1 << 0)
    /// The device is bound to no resident or bed in the registry.
    public static let unregistered = ObservationFlags(rawValue: 1 << 1)
    /// The message had no time of its own; the receive time was used.
    public static let receiveTime = ObservationFlags(rawValue: 1 << 2)

    public var names: [String] {
        var out: [String] = []
        if contains(.clockCorrected) { out.append("clock_corrected") }
        if contains(.unregistered) { out.append("unregistered") }
        if contains(.receiveTime) { out.append("receive_time") }
        return out
    }
}

/// One normalized measurement from one device.
public struct Reading: Sendable, Hashable {
    public var device: String
    public var profile: String
    public var kind: ReadingKind
    public var value: ReadingValue
    /// When the device measured it (or the receive time, flagged).
    public var measuredAt: EpochMillis
    public var receivedAt: EpochMillis
    public var flags: ObservationFlags

    public init(
        device: String, profile: String, kind: ReadingKind, value: ReadingValue,
        measuredAt: EpochMillis, receivedAt: EpochMillis, flags: ObservationFlags = []
    ) {
        self.device = device
        self.profile = profile
        self.kind = kind
        self.value = value
        self.measuredAt = measuredAt
        self.receivedAt = receivedAt
        self.flags = flags
    }
}

/// One device event (SOS, fall, …).
public struct DeviceEvent: Sendable, Hashable {
    public var device: String
    public var profile: String
    public var kind: EventKind
    public var measuredAt: EpochMillis
    public var receivedAt: EpochMillis
    public var flags: ObservationFlags

    public init(
        device: String, profile: String, kind: EventKind, measuredAt: EpochMillis,
        receivedAt: EpochMillis, flags: ObservationFlags = []
    ) {
        self.device = device
        self.profile = profile
        self.kind = kind
        self.measuredAt = measuredAt
        self.receivedAt = receivedAt
        self.flags = flags
    }
}

/// What a decoded message yields: readings and events, in payload order.
public enum Observation: Sendable, Hashable {
    case reading(Reading)
    case event(DeviceEvent)

    public var device: String {
        switch self {
        case .reading(let r): r.device
        case .event(let e): e.device
        }
    }
    public var measuredAt: EpochMillis {
        switch self {
        case .reading(let r): r.measuredAt
        case .event(let e): e.measuredAt
        }
    }
}

/// Why a message was rejected; the label of `anxin_messages_rejected_total{reason}`.
public enum RejectReason: String, Sendable, CaseIterable, Hashable {
    case unparsable
    case wrongType = "wrong_type"
    case missingField = "missing_field"
    case noProfile = "no_profile"
    case tooLarge = "too_large"
    case badTime = "bad_time"
}
