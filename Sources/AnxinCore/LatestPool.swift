#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where one subject's latest values are kept in a ``LatestPool``: the kinds it has (a bit each) and
/// the first of its slots, one slot per kind in kind order. 8 bytes, against a ``LatestByKind``'s 10
/// and the array it owns.
public struct LatestRef: Sendable, Equatable {
    @usableFromInline var start: UInt32 = 0
    @usableFromInline var present: UInt16 = 0

    @inlinable public init() {}

    /// How many kinds it holds (the size of its block in the pool).
    @inlinable public var count: Int { present.nonzeroBitCount }
    @inlinable public var isEmpty: Bool { present == 0 }
}

/// The latest values of many subjects, all in one buffer: the rule engine's values of every subject
/// and the pipeline's recent vitals of every resident.
///
/// A city keeps one set of latest values per resident in the engine and another in the pipeline. As a
/// ``LatestByKind`` each is a small array of its own: 32 bytes of array header and malloc's own overhead
/// on a resident's 50-70 bytes of values, 21 MB for 100,000 residents and 55,000 battery subjects.
/// Here a subject's values are a block of exactly its number of kinds; a block outgrown or released is
/// kept by size and handed to the next subject that needs that size. The buffer grows by `realloc`,
/// which glibc does for a large block by remapping its pages, not copying them (no moment with both).
///
/// Owned by one thread at a time (the engine's or the pipeline's); a pool built on one thread may be
/// handed whole to another.
public final class LatestPool: @unchecked Sendable {
    @usableFromInline var base: UnsafeMutablePointer<TimedValue>
    @usableFromInline var capacity: Int
    /// Slots handed out from the start of the buffer; blocks given back are in `spare`.
    @usableFromInline var used = 0
    /// Blocks given back, by size (`spare[n]`: starts of blocks of `n` slots).
    var spare: [[UInt32]]
    /// Slots in blocks held by subjects.
    public private(set) var liveSlots = 0

    public init(capacity: Int = 1024) {
        self.capacity = max(16, capacity)
        guard let raw = malloc(self.capacity * MemoryLayout<TimedValue>.stride) else {
            fatalError("out of memory for latest values")
        }
        base = raw.bindMemory(to: TimedValue.self, capacity: self.capacity)
        spare = Array(repeating: [], count: ReadingKind.allCases.count + 1)
    }

    deinit { free(base) }

    /// Slots the buffer holds now, handed out or not (for tests and the memory figures).
    public var slotCapacity: Int { capacity }
    /// Slots handed out from the buffer so far, held or kept for reuse.
    public var slotsUsed: Int { used }

    /// `kind`'s latest value in `ref`, or nil.
    @inlinable
    public func value(_ ref: LatestRef, _ kind: ReadingKind) -> TimedValue? {
        let bit = LatestByKind.bit(kind)
        guard ref.present & bit != 0 else { return nil }
        return base[Int(ref.start) + (ref.present & (bit &- 1)).nonzeroBitCount]
    }

    /// Sets `kind`'s latest value in `ref`; a kind new to it moves its values to a block one larger.
    @inlinable
    public func set(_ value: TimedValue, _ kind: ReadingKind, in ref: inout LatestRef) {
        let bit = LatestByKind.bit(kind)
        let i = (ref.present & (bit &- 1)).nonzeroBitCount
        if ref.present & bit != 0 {
            base[Int(ref.start) + i] = value
        } else {
            insert(value, bit: bit, at: i, in: &ref)
        }
    }

    @usableFromInline
    func insert(_ value: TimedValue, bit: UInt16, at i: Int, in ref: inout LatestRef) {
        let n = ref.count
        let new = take(n + 1)
        let old = Int(ref.start)
        if n > 0 {
            (base + new).update(from: base + old, count: i)
            (base + new + i + 1).update(from: base + old + i, count: n - i)
            spare[n].append(ref.start)
        }
        base[new + i] = value
        liveSlots += 1
        ref.start = UInt32(new)
        ref.present |= bit
    }

    /// Gives `ref`'s block back to the pool; `ref` is empty after.
    public func release(_ ref: inout LatestRef) {
        let n = ref.count
        if n > 0 {
            spare[n].append(ref.start)
            liveSlots -= n
        }
        ref = LatestRef()
    }

    /// A new block holding `values` (state read back, values moved in from elsewhere).
    public func store(_ values: LatestByKind) -> LatestRef {
        var ref = LatestRef()
        for (kind, v) in values.entries { set(v, kind, in: &ref) }
        return ref
    }

    /// The kinds `ref` holds and their values, in kind order.
    public func entries(_ ref: LatestRef) -> [(kind: ReadingKind, value: TimedValue)] {
        var out: [(kind: ReadingKind, value: TimedValue)] = []
        out.reserveCapacity(ref.count)
        var i = Int(ref.start)
        for kind in ReadingKind.allCases where ref.present & LatestByKind.bit(kind) != 0 {
            out.append((kind, base[i]))
            i += 1
        }
        return out
    }

    /// A block of `n` slots: one given back, or the next ones of the buffer.
    func take(_ n: Int) -> Int {
        if let s = spare[n].popLast() { return Int(s) }
        if used + n > capacity { grow(toAtLeast: used + n) }
        defer { used += n }
        return used
    }

    private func grow(toAtLeast needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        precondition(newCapacity <= Int(UInt32.max), "latest values beyond 2^32 slots")
        guard let raw = realloc(base, newCapacity * MemoryLayout<TimedValue>.stride) else {
            fatalError("out of memory for latest values")
        }
        base = raw.bindMemory(to: TimedValue.self, capacity: newCapacity)
        capacity = newCapacity
    }
}
