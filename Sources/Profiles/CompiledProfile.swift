import AnxinCore

/// Where a value comes from: a captured payload field, or a level of the MQTT topic.
enum FieldSource: Sendable {
    case slot(SlotRef)
    case topicLevel(Int)

    var slotRef: SlotRef? {
        if case .slot(let ref) = self { return ref }
        return nil
    }
}

/// A value written in a profile to compare payload values with (`equals`, `map`, `codes`).
enum MatchValue: Sendable, Equatable {
    case text([UInt8])
    case number(Double)
    case bool(Bool)
}

/// `when: {field: X, equals: V}`: holds when the field equals any of the values.
struct Condition: Sendable {
    var source: FieldSource
    var values: [MatchValue]
}

/// Turns a device unit into the kind's normalized unit (SPEC section 4).
enum UnitConversion: Sendable, Equatable {
    case none
    case multiply(Double)
    case divide(Double)
    case fahrenheitToCelsius

    @inline(__always)
    func apply(_ v: Double) -> Double {
        switch self {
        case .none: v
        case .multiply(let f): v * f
        case .divide(let d): v / d
        case .fahrenheitToCelsius: (v - 32) * 5 / 9
        }
    }

    /// Units a profile may name for each kind; the first is the normalized one.
    static func units(for kind: ReadingKind) -> [String] {
        switch kind {
        case .heartRate: ["bpm", "/min"]
        case .systolic, .diastolic: ["mmHg", "kPa"]
        case .spo2, .battery: ["%"]
        case .respirationRate: ["/min", "rpm"]
        case .bodyTemp: ["C", "F"]
        case .bloodGlucose: ["mmol/L", "mg/dL"]
        case .steps: ["count"]
        case .location, .inBed, .worn: []
        }
    }

    static func conversion(unit: String) -> UnitConversion {
        switch unit {
        case "kPa": .multiply(7.50062)
        case "F": .fahrenheitToCelsius
        case "mg/dL": .divide(18.0)
        default: .none
        }
    }
}

/// A `map:` entry: a payload value and the reading value it stands for.
struct MapEntry: Sendable {
    var match: MatchValue
    var value: ReadingValue
}

/// How a position is read.
struct LocationRule: Sendable {
    var lat: FieldSource
    var lon: FieldSource
    var latHemisphere: FieldSource?
    var lonHemisphere: FieldSource?
    var nmea: Bool
    var datum: Datum
    var source: LocationSource
    var accuracy: FieldSource?
}

/// How one reading is read, checked and converted.
struct ReadingRule: Sendable {
    var kind: ReadingKind
    /// The profile's name for the field, for reject messages.
    var label: String
    var source: FieldSource
    var location: LocationRule?
    var map: [MapEntry] = []
    var sentinels: [Double] = []
    var scale: Double = 1
    var divisor: Double = 1
    var unit: UnitConversion = .none
    var conditions: [Condition] = []
    var time: TimeRule?
    var required = false
}

/// A reading rule as a message type holds it: a class, so the decoder reads the rule in place. It looks
/// at every reading rule of a message for each sample, and an array of the structs copied each rule
/// (its strings and arrays retained and released) every time.
final class SharedReadingRule: Sendable {
    let rule: ReadingRule

    init(_ rule: ReadingRule) { self.rule = rule }
}

/// How events are found.
struct EventRule: Sendable {
    enum Trigger: Sendable {
        /// The message itself is the event (topic `…/sos`, command `AL`), given `conditions`.
        case always(EventKind)
        /// A status bitfield: hex (or decimal) text, or a JSON number; bit 0 is the lowest.
        case bits(FieldSource, radix: Int, [BitEvent])
        /// An alarm code: the value names the event.
        case codes(FieldSource, [CodeEvent])
    }

    struct BitEvent: Sendable {
        var bit: Int
        var kind: EventKind
    }

    struct CodeEvent: Sendable {
        var match: MatchValue
        var kind: EventKind
    }

    var trigger: Trigger
    var label: String
    var conditions: [Condition] = []
}

/// One message type of a profile, told apart by topic, frame command and conditions.
struct MessageType: Sendable {
    var name: String
    var topic: TopicFilter?
    var commands: [[UInt8]] = []
    var conditions: [Condition] = []
    var device: FieldSource
    var deviceLabel: String
    var time: TimeRule?
    /// The iterated array (`data[]`): one sample per element; -1 for one sample.
    var arrayID: Int32 = -1
    var arrayLabel = ""
    var readings: [SharedReadingRule] = []
    var events: [EventRule] = []
    /// Text frames only: the message's fields.
    var layout = FrameLayout()
}

/// A loaded profile, compiled for decoding.
/// A class: the profile set looks at every profile for each message, and a struct of arrays was copied
/// (four retains and releases) for every profile looked at.
final class CompiledProfile: Sendable {
    enum Format: Sendable {
        case json(PathTrie)
        case frame(FrameSyntax)
    }

    let id: String
    let filters: [TopicFilter]
    let format: Format
    let messages: [MessageType]
    /// Capture slots a message of this profile needs at most.
    let rootSlotCount: Int
    let arrayCount: Int

    init(
        id: String, filters: [TopicFilter], format: Format, messages: [MessageType], rootSlotCount: Int,
        arrayCount: Int
    ) {
        self.id = id
        self.filters = filters
        self.format = format
        self.messages = messages
        self.rootSlotCount = rootSlotCount
        self.arrayCount = arrayCount
    }

    func takes(_ topic: UnsafeRawBufferPointer) -> Bool {
        for f in filters where f.matches(topic) { return true }
        return false
    }
}
