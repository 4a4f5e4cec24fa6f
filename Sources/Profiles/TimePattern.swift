import AnxinCore

/// A fixed-width date/time pattern such as `dd/MM/yyyy HH:mm:ss` or `ddMMyy`, compiled to
/// tokens. Letters: yyyy, yy (2000+yy), MM, dd, HH, mm, ss, SSS; anything else is literal.
struct TimePattern: Sendable {
    enum Token: Sendable, Equatable {
        case year4, year2, month, day, hour, minute, second, millis
        case literal(UInt8)

        var width: Int {
            switch self {
            case .year4: 4
            case .millis: 3
            case .literal: 1
            default: 2
            }
        }
    }

    let text: String
    let tokens: [Token]
    let width: Int

    static func compile(_ text: String) -> Result<TimePattern, PatternError> {
        let chars = Array(text.utf8)
        guard !chars.isEmpty else { return .failure(PatternError("a time pattern must not be empty")) }
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let isLetter = (65...90).contains(c) || (97...122).contains(c)
            guard isLetter else {
                tokens.append(.literal(c))
                i += 1
                continue
            }
            var run = 1
            while i + run < chars.count, chars[i + run] == c { run += 1 }
            let letters = String(decoding: chars[i..<(i + run)], as: UTF8.self)
            switch letters {
            case "yyyy": tokens.append(.year4)
            case "yy": tokens.append(.year2)
            case "MM": tokens.append(.month)
            case "dd": tokens.append(.day)
            case "HH": tokens.append(.hour)
            case "mm": tokens.append(.minute)
            case "ss": tokens.append(.second)
            case "SSS": tokens.append(.millis)
            default:
                return .failure(
                    PatternError(
                        "unknown time pattern letters '\(letters)' (use yyyy, yy, MM, dd, HH, mm, ss, SSS)"))
            }
            i += run
        }
        return .success(TimePattern(text: text, tokens: tokens, width: tokens.reduce(0) { $0 + $1.width }))
    }

    struct PatternError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// Reads the bytes into `civil`; false when they do not fit the pattern.
    func parse(_ b: UnsafeRawBufferPointer, into civil: inout CivilTime) -> Bool {
        guard b.count == width else { return false }
        var at = 0
        for token in tokens {
            if case .literal(let c) = token {
                guard b[at] == c else { return false }
                at += 1
                continue
            }
            var v = 0
            for k in at..<(at + token.width) {
                guard PayloadText.isDigit(b[k]) else { return false }
                v = v * 10 + Int(b[k] &- 48)
            }
            at += token.width
            switch token {
            case .year4: civil.year = v
            case .year2: civil.year = 2000 + v
            case .month: civil.month = v
            case .day: civil.day = v
            case .hour: civil.hour = v
            case .minute: civil.minute = v
            case .second: civil.second = v
            case .millis: civil.millisecond = v
            case .literal: break
            }
        }
        return true
    }

    var hasDate: (year: Bool, month: Bool, day: Bool) {
        (
            tokens.contains(.year4) || tokens.contains(.year2), tokens.contains(.month),
            tokens.contains(.day)
        )
    }
}

/// Date and time fields gathered from one or more patterned payload fields.
struct CivilTime {
    var year = 0
    var month = 0
    var day = 0
    var hour = 0
    var minute = 0
    var second = 0
    var millisecond = 0

    func epochMillis(utcOffsetSeconds: Int) -> EpochMillis? {
        Timestamp.millis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            millisecond: millisecond, utcOffsetSeconds: utcOffsetSeconds)
    }
}

/// Where a measured time comes from.
enum TimeRule: Sendable {
    /// Epoch seconds (`unit` 1000) or milliseconds (`unit` 1).
    case epoch(FieldSource, millisPerUnit: Double, label: String)
    /// One or more patterned fields (`[date, time]` with `[ddMMyy, HHmmss]`) at a fixed offset.
    case pattern([TimePart], utcOffsetSeconds: Int, label: String)

    var label: String {
        switch self {
        case .epoch(_, _, let label), .pattern(_, _, let label): label
        }
    }
}

struct TimePart: Sendable {
    var source: FieldSource
    var pattern: TimePattern
}

/// The plain-wrong-clock rule of SPEC section 3.
enum DeviceClock {
    /// 2015-01-01T00:00:00Z: no device in service measured anything before it.
    static let earliest: EpochMillis = 1_420_070_400_000
    /// A measured time more than 10 minutes past the receive time is a wrong clock.
    static let futureTolerance: EpochMillis = 600_000

    /// The time to store and the flag to add for a device-given time.
    @inline(__always)
    static func settle(_ measured: EpochMillis, receivedAt: EpochMillis) -> (EpochMillis, ObservationFlags) {
        if measured < earliest || measured > receivedAt + futureTolerance {
            return (receivedAt, .clockCorrected)
        }
        return (measured, [])
    }
}
