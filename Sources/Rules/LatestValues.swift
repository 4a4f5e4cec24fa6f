import AnxinCore

/// A subject's newest value of each measure its rules look at.
///
/// Every reading is looked up here several times (once per measure of every rule of its kind), and a
/// city holds one per resident, so it is a bit set of the kinds present and their values in kind
/// order: a lookup is a mask test and a population count, with no hashing, and a resident's handful
/// of values take one small array instead of a hash table.
struct LatestValues: Sendable {
    private var present: UInt16 = 0
    private var values: [LatestValue] = []

    private static func bit(_ kind: ReadingKind) -> UInt16 { 1 << UInt16(kind.rawValue) }

    /// Where `kind`'s value is, or would be inserted, in `values`.
    private func slot(_ kind: ReadingKind) -> Int { (present & (Self.bit(kind) &- 1)).nonzeroBitCount }

    subscript(kind: ReadingKind) -> LatestValue? {
        get { present & Self.bit(kind) == 0 ? nil : values[slot(kind)] }
        set {
            let i = slot(kind)
            let held = present & Self.bit(kind) != 0
            switch (newValue, held) {
            case (let v?, true): values[i] = v
            case (let v?, false):
                values.insert(v, at: i)
                present |= Self.bit(kind)
            case (nil, true):
                values.remove(at: i)
                present &= ~Self.bit(kind)
            case (nil, false): break
            }
        }
    }

    var count: Int { values.count }
    var isEmpty: Bool { values.isEmpty }

    mutating func reserveCapacity(_ n: Int) { values.reserveCapacity(n) }

    /// The kinds held and their values, in kind order.
    var entries: [(kind: ReadingKind, value: LatestValue)] {
        var out: [(kind: ReadingKind, value: LatestValue)] = []
        out.reserveCapacity(values.count)
        var i = 0
        for kind in ReadingKind.allCases where present & Self.bit(kind) != 0 {
            out.append((kind, values[i]))
            i += 1
        }
        return out
    }
}

/// Coded as the dictionary it replaced (`[ReadingKind: LatestValue]`: an array of kind, value, kind,
/// value …), so rule state saved as JSON before is still read.
extension LatestValues: Codable {
    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        while !c.isAtEnd {
            let kind = try c.decode(ReadingKind.self)
            self[kind] = try c.decode(LatestValue.self)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for (kind, value) in entries {
            try c.encode(kind)
            try c.encode(value)
        }
    }
}
