import AnxinCore

/// What one `ProfileSet.decode` call produced. Keep one value per decoding loop and pass it
/// to every call: its arrays keep their storage, so the hot path does not allocate for them.
public struct DecodeOutput: Sendable {
    /// The profile that took the message ("" when none did).
    public var profile: String
    /// Readings and events, sample by sample in payload order.
    public var observations: [Observation]
    /// Reading kinds dropped as "not measured" sentinels, one entry per dropped field
    /// (for example `["heart_rate", "systolic", "diastolic"]`).
    public var sentinels: [String]
    /// Working storage of the decoder, reused from call to call.
    var scratch: DecodeScratch

    public init() {
        profile = ""
        observations = []
        sentinels = []
        scratch = DecodeScratch()
    }

    mutating func reset() {
        profile = ""
        observations.removeAll(keepingCapacity: true)
        sentinels.removeAll(keepingCapacity: true)
    }
}

/// Why a message was turned away: count it under `reason` and store nothing from it.
/// `message` names the profile, message type and field, never payload content.
public struct DecodeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: RejectReason
    public var message: String

    public init(reason: RejectReason, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}

/// The type of a captured value.
enum SpanKind: UInt8, Sendable {
    case absent, null, string, number, trueLiteral, falseLiteral, object, array
    /// A field of a text frame.
    case text
    /// The payload had another type where the path needed an object or array.
    case mismatch
}

/// Where a captured value lies in the payload (string contents exclude the quotes).
struct Span: Sendable {
    var start: Int32
    var end: Int32
    var kind: SpanKind
    var escaped: Bool

    static let absent = Span(start: 0, end: 0, kind: .absent, escaped: false)

    init(start: Int, end: Int, kind: SpanKind, escaped: Bool = false) {
        self.start = Int32(truncatingIfNeeded: start)
        self.end = Int32(truncatingIfNeeded: end)
        self.kind = kind
        self.escaped = escaped
    }
}

/// Where the elements of one iterated JSON array (`data[]`) were stored.
struct ArrayBlock: Sendable {
    var base: Int32 = 0
    var count: Int32 = 0
    var seen = false
    var mismatch = false
}

/// Capture slots, refilled for every message.
struct DecodeScratch: Sendable {
    var root: [Span] = []
    var elements: [Span] = []
    var arrays: [ArrayBlock] = []

    mutating func reset(rootSlots: Int, arrayCount: Int) {
        root.removeAll(keepingCapacity: true)
        root.append(contentsOf: repeatElement(Span.absent, count: rootSlots))
        elements.removeAll(keepingCapacity: true)
        arrays.removeAll(keepingCapacity: true)
        arrays.append(contentsOf: repeatElement(ArrayBlock(), count: arrayCount))
    }
}
