/// A subject's entries by rule name: its runs in progress, night bed watches and unresolved alerts.
///
/// A subject holds a handful of these at most, and the engine looks one up for every rule it judges, so
/// they are kept in one small array and found by comparing names instead of hashing them (a rule's name
/// is usually the very string stored, which compares without reading its bytes). Entries keep the order
/// they were added in. Encoded as a JSON object by name, as the dictionary it replaces was.
struct RuleMap<Value> {
    private var entries: [(key: String, value: Value)] = []

    init() {}

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var keys: LazyMapSequence<[(key: String, value: Value)], String> { entries.lazy.map(\.key) }
    var values: LazyMapSequence<[(key: String, value: Value)], Value> { entries.lazy.map(\.value) }

    private func slot(_ key: String) -> Int? {
        var i = 0
        while i < entries.count {
            if entries[i].key == key { return i }
            i += 1
        }
        return nil
    }

    /// Whether `key` has an entry, without copying its value out (an alert is a large value).
    @inline(__always)
    func contains(_ key: String) -> Bool { !entries.isEmpty && slot(key) != nil }

    subscript(key: String) -> Value? {
        get {
            guard let i = slot(key) else { return nil }
            return entries[i].value
        }
        set {
            if let i = slot(key) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        guard let i = slot(key) else { return nil }
        return entries.remove(at: i).value
    }
}

extension RuleMap: Sequence {
    func makeIterator() -> IndexingIterator<[(key: String, value: Value)]> { entries.makeIterator() }
}

extension RuleMap: Sendable where Value: Sendable {}

extension RuleMap: Codable where Value: Codable {
    init(from decoder: Decoder) throws {
        let byName = try [String: Value](from: decoder)
        entries = byName.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    func encode(to encoder: Encoder) throws {
        try [String: Value](entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }).encode(
            to: encoder)
    }
}
