import AnxinCore

/// Reads the captured values of one sample (the message, or one element of its array).
struct SampleReader {
    struct Value {
        var kind: SpanKind
        var bytes: UnsafeRawBufferPointer
        var escaped: Bool
    }

    enum NumberRead {
        case absent
        case value(Double)
        case wrongType
    }

    let payload: UnsafeRawBufferPointer
    let topic: UnsafeRawBufferPointer
    let root: UnsafeBufferPointer<Span>
    let elements: UnsafeBufferPointer<Span>
    var elementBase = 0

    @inline(__always)
    func value(_ source: FieldSource) -> Value {
        switch source {
        case .slot(let ref):
            let span = ref.isElement ? elements[elementBase + Int(ref.index)] : root[Int(ref.index)]
            let bytes = UnsafeRawBufferPointer(rebasing: payload[Int(span.start)..<Int(span.end)])
            return Value(kind: span.kind, bytes: bytes, escaped: span.escaped)
        case .topicLevel(let level):
            guard let range = TopicFilter.levelRange(topic, level: level), !range.isEmpty else {
                return Value(kind: .absent, bytes: UnsafeRawBufferPointer(rebasing: topic[0..<0]), escaped: false)
            }
            return Value(kind: .text, bytes: UnsafeRawBufferPointer(rebasing: topic[range]), escaped: false)
        }
    }

    /// A number from a JSON number, a numeric string or a frame field. Empty text, null
    /// and missing values are absent; anything else is the wrong type.
    func number(_ source: FieldSource) -> NumberRead {
        number(value(source))
    }

    func number(_ v: Value) -> NumberRead {
        switch v.kind {
        case .absent, .null:
            return .absent
        case .number:
            return PayloadText.number(v.bytes).map(NumberRead.value) ?? .wrongType
        case .string, .text:
            if v.bytes.isEmpty { return .absent }
            guard !v.escaped, let d = PayloadText.number(v.bytes), d.isFinite else { return .wrongType }
            return .value(d)
        default:
            return .wrongType
        }
    }

    func holds(_ conditions: [Condition]) -> Bool {
        for c in conditions {
            let v = value(c.source)
            var any = false
            for m in c.values where matches(v, m) {
                any = true
                break
            }
            if !any { return false }
        }
        return true
    }

    /// Text compares byte for byte; a number compares numerically with a number or numeric
    /// text ("01" equals 1); true/false compare with JSON booleans.
    func matches(_ v: Value, _ m: MatchValue) -> Bool {
        switch m {
        case .bool(let b):
            return v.kind == (b ? .trueLiteral : .falseLiteral)
        case .number(let d):
            guard v.kind == .number || v.kind == .string || v.kind == .text, !v.escaped else { return false }
            return PayloadText.number(v.bytes) == d
        case .text(let t):
            switch v.kind {
            case .string where !v.escaped, .text:
                guard v.bytes.count == t.count else { return false }
                for k in 0..<t.count where v.bytes[k] != t[k] { return false }
                return true
            case .string:
                return Array(PayloadText.unescapedJSON(v.bytes).utf8) == t
            case .number:
                guard let d = PayloadText.number(v.bytes) else { return false }
                return t.withUnsafeBytes { PayloadText.number($0) } == d
            default:
                return false
            }
        }
    }

    enum TextRead {
        case missing
        case value(String)
        case wrongType
    }

    /// A device id: text, or a JSON integer read as its digits (iMEDE sends the IMEI both ways).
    func deviceID(_ source: FieldSource) -> TextRead {
        let v = value(source)
        switch v.kind {
        case .string, .text:
            guard !v.bytes.isEmpty else { return .missing }
            guard v.bytes.count <= 128 else { return .wrongType }
            return .value(v.escaped ? PayloadText.unescapedJSON(v.bytes) : String(decoding: v.bytes, as: UTF8.self))
        case .number:
            guard v.bytes.count <= 64, v.bytes.allSatisfy(PayloadText.isDigit) else { return .wrongType }
            return .value(String(decoding: v.bytes, as: UTF8.self))
        case .absent, .null:
            return .missing
        default:
            return .wrongType
        }
    }

    enum TimeRead {
        case absent
        case value(EpochMillis)
        case wrongType
        case invalid
    }

    func time(_ rule: TimeRule) -> TimeRead {
        switch rule {
        case .epoch(let source, let millisPerUnit, _):
            switch number(source) {
            case .absent: return .absent
            case .wrongType: return .wrongType
            case .value(let v):
                let ms = (v * millisPerUnit).rounded()
                guard ms.isFinite, abs(ms) < 1e15 else { return .invalid }
                return .value(EpochMillis(ms))
            }
        case .pattern(let parts, let offset, _):
            var civil = CivilTime()
            for part in parts {
                let v = value(part.source)
                switch v.kind {
                case .absent, .null:
                    return .absent
                case .string, .text, .number:
                    if v.bytes.isEmpty { return .absent }
                    guard !v.escaped, part.pattern.parse(v.bytes, into: &civil) else { return .invalid }
                default:
                    return .wrongType
                }
            }
            guard let ms = civil.epochMillis(utcOffsetSeconds: offset) else { return .invalid }
            return .value(ms)
        }
    }

    enum LocationRead {
        case absent
        case value(Location)
        case wrongType
        case sentinel
    }

    func location(_ rule: LocationRule) -> LocationRead {
        var lat: Double
        var lon: Double
        switch (number(rule.lat), number(rule.lon)) {
        case (.wrongType, _), (_, .wrongType): return .wrongType
        case (.value(let a), .value(let b)):
            lat = a
            lon = b
        default: return .absent
        }
        if rule.nmea {
            lat = Self.degrees(nmea: lat)
            lon = Self.degrees(nmea: lon)
        }
        if let h = rule.latHemisphere {
            switch hemisphere(h, positive: UInt8(ascii: "N"), negative: UInt8(ascii: "S")) {
            case nil: return .wrongType
            case let sign?: lat *= sign
            }
        }
        if let h = rule.lonHemisphere {
            switch hemisphere(h, positive: UInt8(ascii: "E"), negative: UInt8(ascii: "W")) {
            case nil: return .wrongType
            case let sign?: lon *= sign
            }
        }
        if lat == 0 && lon == 0 { return .sentinel }
        guard abs(lat) <= 90, abs(lon) <= 180 else { return .sentinel }
        let wgs = rule.datum.toWGS84(lat: lat, lon: lon)
        var accuracy: Double?
        if let a = rule.accuracy {
            switch number(a) {
            case .wrongType: return .wrongType
            case .value(let m): accuracy = m
            case .absent: break
            }
        }
        return .value(Location(lat: wgs.lat, lon: wgs.lon, accuracyM: accuracy, source: rule.source))
    }

    /// `ddmm.mmmm` / `dddmm.mmmm` to decimal degrees.
    static func degrees(nmea v: Double) -> Double {
        let a = abs(v)
        let whole = (a / 100).rounded(.towardZero)
        let d = whole + (a - whole * 100) / 60
        return v < 0 ? -d : d
    }

    /// +1 or -1 from a hemisphere letter; +1 when absent; nil for anything else.
    private func hemisphere(_ source: FieldSource, positive: UInt8, negative: UInt8) -> Double? {
        let v = value(source)
        switch v.kind {
        case .absent, .null: return 1
        case .string, .text:
            if v.bytes.isEmpty { return 1 }
            guard v.bytes.count == 1 else { return nil }
            let c = v.bytes[0] & 0xDF
            if c == positive { return 1 }
            if c == negative { return -1 }
            return nil
        default: return nil
        }
    }
}
