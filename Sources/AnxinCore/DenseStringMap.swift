/// A map from string keys to values, for tables of a city's residents and devices.
///
/// `Dictionary<String, V>` keeps a key and a value in every bucket, and its buckets are a power of two
/// at most three quarters full: 100,000 entries take 262,144 buckets, so a 64-byte value costs about
/// 210 bytes an entry. Here the keys and values live in two dense arrays, in the order they were added,
/// and the hash table holds only the 4-byte position of each: about 100 bytes an entry for the same
/// value. A lookup hashes the key once (the standard library's seeded hash, so keys a device chooses
/// cannot be made to collide) and compares it with the keys its probe finds.
///
/// Positions (`Index`) are stable until an entry is removed: the last entry then moves into the removed
/// one's place, as a dictionary's indices are invalidated by a removal. Iteration is in position order.
public struct DenseStringMap<Value> {
    public typealias Index = Int

    /// The keys, by position.
    public var keys: [String] { storedKeys }
    @usableFromInline var storedKeys: [String] = []
    /// The values, by position: `values[i]` is read and changed in place.
    public var values: [Value] = []
    /// Open addressing, linear probing: position + 1 of the entry in each bucket, 0 for an empty one.
    /// At most half full, so a probe is short.
    @usableFromInline var buckets: [UInt32] = []
    @usableFromInline var mask = 0

    @inlinable public init() {}

    @inlinable public var count: Int { storedKeys.count }
    /// Buckets of the hash table (4 bytes each).
    public var bucketCount: Int { buckets.count }
    @inlinable public var isEmpty: Bool { storedKeys.isEmpty }

    @inlinable
    public mutating func reserveCapacity(_ n: Int) {
        storedKeys.reserveCapacity(n)
        values.reserveCapacity(n)
        if n * 2 > buckets.count { rehash(minimumBuckets: n * 2) }
    }

    @inlinable @inline(__always)
    func home(_ key: String) -> Int { key.hashValue & mask }

    /// The bucket holding `key`, or the empty bucket where it would go. Reads the arrays through
    /// pointers: the probe is on the per-reading path, and the arrays cannot change while it runs.
    @inlinable @inline(__always)
    func probe(_ key: String) -> (bucket: Int, found: Bool) {
        let start = home(key)
        let mask = self.mask
        return buckets.withUnsafeBufferPointer { table in
            storedKeys.withUnsafeBufferPointer { keys in
                var b = start
                while true {
                    let slot = Int(table[b])
                    if slot == 0 { return (b, false) }
                    if keys[slot - 1] == key { return (b, true) }
                    b = (b + 1) & mask
                }
            }
        }
    }

    /// Specialized where it is used, but not inlined, with the probe reading through pointers: anxin-bench
    /// imede-batch 5,005–5,059 ns this way, 5,031–5,183 inlined with checked array reads (interleaved).
    @inlinable @inline(never)
    public func index(forKey key: String) -> Index? {
        if storedKeys.isEmpty { return nil }
        let (b, found) = probe(key)
        return found ? Int(buckets[b]) - 1 : nil
    }

    @inlinable
    public subscript(key: String) -> Value? {
        get { index(forKey: key).map { values[$0] } }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets the value for `key`; returns the value it replaced, nil when the key is new.
    @inlinable @discardableResult
    public mutating func updateValue(_ value: Value, forKey key: String) -> Value? {
        if (storedKeys.count + 1) * 2 > buckets.count { rehash(minimumBuckets: (storedKeys.count + 1) * 2) }
        let (b, found) = probe(key)
        if found {
            let i = Int(buckets[b]) - 1
            let old = values[i]
            values[i] = value
            return old
        }
        storedKeys.append(key)
        values.append(value)
        buckets[b] = UInt32(storedKeys.count)
        return nil
    }

    /// Removes `key`; the last entry moves into its position.
    @inlinable @discardableResult
    public mutating func removeValue(forKey key: String) -> Value? {
        if storedKeys.isEmpty { return nil }
        let (b, found) = probe(key)
        guard found else { return nil }
        let i = Int(buckets[b]) - 1
        deleteBucket(b)
        let last = storedKeys.count - 1
        if i != last {
            // The last entry's bucket now points at its new position.
            let (lb, _) = probe(storedKeys[last])
            buckets[lb] = UInt32(i + 1)
            storedKeys.swapAt(i, last)
            values.swapAt(i, last)
        }
        storedKeys.removeLast()
        return values.removeLast()
    }

    @inlinable
    public mutating func removeAll(keepingCapacity: Bool = false) {
        storedKeys.removeAll(keepingCapacity: keepingCapacity)
        values.removeAll(keepingCapacity: keepingCapacity)
        if keepingCapacity {
            for b in buckets.indices { buckets[b] = 0 }
        } else {
            buckets = []
            mask = 0
        }
    }

    /// Empties bucket `b` and shifts back the entries after it that probed past it, so every entry
    /// stays reachable from its home bucket without tombstones.
    @inlinable
    mutating func deleteBucket(_ b: Int) {
        var hole = b
        var next = (b + 1) & mask
        while buckets[next] != 0 {
            let h = home(storedKeys[Int(buckets[next]) - 1])
            // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
            let fits = hole <= next ? (h <= hole || h > next) : (h <= hole && h > next)
            if fits {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole] = 0
    }

    @usableFromInline
    mutating func rehash(minimumBuckets: Int) {
        var size = Swift.max(16, buckets.count)
        while size < minimumBuckets { size *= 2 }
        buckets = [UInt32](repeating: 0, count: size)
        mask = size - 1
        for (i, key) in storedKeys.enumerated() {
            var b = home(key)
            while buckets[b] != 0 { b = (b + 1) & mask }
            buckets[b] = UInt32(i + 1)
        }
    }
}

extension DenseStringMap: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let map: DenseStringMap
        @usableFromInline var i = 0

        @inlinable init(map: DenseStringMap) { self.map = map }

        @inlinable
        public mutating func next() -> (key: String, value: Value)? {
            guard i < map.storedKeys.count else { return nil }
            defer { i += 1 }
            return (map.storedKeys[i], map.values[i])
        }
    }

    @inlinable public func makeIterator() -> Iterator { Iterator(map: self) }
    @inlinable public var underestimatedCount: Int { storedKeys.count }
}

extension DenseStringMap: ExpressibleByDictionaryLiteral {
    @inlinable
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init()
        reserveCapacity(elements.count)
        for (k, v) in elements { updateValue(v, forKey: k) }
    }
}

extension DenseStringMap: Sendable where Value: Sendable {}

/// Equal when they map the same keys to equal values, whatever the order they were added in.
extension DenseStringMap: Equatable where Value: Equatable {
    public static func == (a: Self, b: Self) -> Bool {
        guard a.count == b.count else { return false }
        for (key, value) in a {
            guard let i = b.index(forKey: key), b.values[i] == value else { return false }
        }
        return true
    }
}
