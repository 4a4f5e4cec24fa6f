/// A value measured at a time.
public struct TimedValue: Sendable, Codable, Equatable {
    public var value: Double
    public var at: EpochMillis

    @inlinable
    public init(value: Double, at: EpochMillis) {
        self.value = value
        self.at = at
    }
}

/// The newest value of each reading kind one subject has: the rule engine's latest values of a
/// resident's measures, and the pipeline's recent vitals for an incident.
///
/// Every reading is looked up here several times, and a city holds one per resident, so it is a bit
/// set of the kinds present and their values in kind order: a lookup is a mask test and a population
/// count, with no hashing, and a resident's handful of values take one small array instead of a hash
/// table.
public struct LatestByKind: Sendable {
    // The array first: the struct is then 10 bytes, and a field after it in a larger struct takes the
    // padding that would otherwise follow the mask.
    @usableFromInline var values: [TimedValue] = []
    @usableFromInline var present: UInt16 = 0

    public init() {}

    @inlinable
    static func bit(_ kind: ReadingKind) -> UInt16 { 1 << UInt16(kind.rawValue) }

    /// Where `kind`'s value is, or would be inserted, in `values`.
    @inlinable
    func slot(_ kind: ReadingKind) -> Int { (present & (Self.bit(kind) &- 1)).nonzeroBitCount }

    @inlinable
    public subscript(kind: ReadingKind) -> TimedValue? {
        get { present & Self.bit(kind) == 0 ? nil : values[slot(kind)] }
        set {
            let i = slot(kind)
            let held = present & Self.bit(kind) != 0
            switch (newValue, held) {
            case (let v?, true): values[i] = v
            case (let v?, false):
                // One more slot, not twice as many: a subject's kinds arrive one at a time, and a city holds
                // one of these per resident in the pipeline and another in the engine (an array grown by
                // doubling held 8 slots for 5 kinds: 23.7 MB for 100,000 residents).
                if values.count == values.capacity { values.reserveCapacity(values.count + 1) }
                values.insert(v, at: i)
                present |= Self.bit(kind)
            case (nil, true):
                values.remove(at: i)
                present &= ~Self.bit(kind)
            case (nil, false): break
            }
        }
    }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }

    public mutating func reserveCapacity(_ n: Int) { values.reserveCapacity(n) }

    /// The kinds held and their values, in kind order.
    public var entries: [(kind: ReadingKind, value: TimedValue)] {
        var out: [(kind: ReadingKind, value: TimedValue)] = []
        out.reserveCapacity(values.count)
        var i = 0
        for kind in ReadingKind.allCases where present & Self.bit(kind) != 0 {
            out.append((kind, values[i]))
            i += 1
        }
        return out
    }
}

/// Coded as the dictionary it replaced (`[ReadingKind: TimedValue]`: an array of kind, value, kind,
/// value …), so rule state saved as JSON before is still read.
extension LatestByKind: Codable {
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        while !c.isAtEnd {
            let kind = try c.decode(ReadingKind.self)
            self[kind] = try c.decode(TimedValue.self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for (kind, value) in entries {
            try c.encode(kind)
            try c.encode(value)
        }
    }
}
