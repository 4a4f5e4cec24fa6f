/// Names a capture slot: a root slot (`array == -1`) or a slot inside each element of
/// iterated array `array`.
struct SlotRef: Hashable, Sendable {
    var array: Int32
    var index: Int32
    var isElement: Bool { array >= 0 }
}

/// Every JSON path of one profile, merged into a flat trie the scanner walks while it
/// reads the payload. Plain values only, so lookups on the hot path do not retain.
struct PathTrie: Sendable {
    struct Node: Sendable {
        var firstEdge: Int32 = 0
        var edgeCount: Int32 = 0
        var hasIndexEdges = false
        /// The node for every element (`[]`), or -1.
        var eachChild: Int32 = -1
        /// For a `[]` node: the iterated array's id; -1 otherwise.
        var arrayID: Int32 = -1
        var slot: Int32 = -1
        var inElement = false
    }

    struct Edge: Sendable {
        var keyStart: Int32
        var keyCount: Int32
        /// Array index for `[N]` edges; -1 for key edges.
        var index: Int32
        var child: Int32
        /// The key's first 8 bytes (``PathTrie/head(_:)``): most keys are told apart, or found whole,
        /// by one comparison of these and the length.
        var head: UInt64 = 0
    }

    /// The first 8 bytes of `bytes` (fewer when shorter, zero past the end), little-endian.
    @inline(__always)
    static func head(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        if bytes.count >= 8 { return UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self)) }
        var h: UInt64 = 0
        for k in 0..<bytes.count { h |= UInt64(bytes[k]) << UInt64(8 * k) }
        return h
    }

    var nodes: [Node] = [Node()]
    var edges: [Edge] = []
    var keyBytes: [UInt8] = []
    var rootSlotCount = 0
    var elementSlotCounts: [Int] = []
}

/// Builds a `PathTrie` path by path at load time.
struct PathTrieBuilder {
    private struct BuildNode {
        var keys: [String: Int] = [:]
        var keyOrder: [String] = []
        var indexes: [Int: Int] = [:]
        var indexOrder: [Int] = []
        var each: Int?
        var arrayID: Int32 = -1
        var slot: Int32 = -1
        var inElement = false
    }

    private var nodes: [BuildNode] = [BuildNode()]
    private var rootSlots = 0
    private var elementSlots: [Int] = []

    /// Adds a path (or finds it) and returns its slot.
    mutating func add(_ steps: [PathStep]) -> Result<SlotRef, JSONPath.PathError> {
        var current = 0
        var array: Int32 = -1
        for step in steps {
            switch step {
            case .key(let key):
                if let next = nodes[current].keys[key] {
                    current = next
                } else {
                    nodes.append(BuildNode(inElement: array >= 0))
                    nodes[current].keys[key] = nodes.count - 1
                    nodes[current].keyOrder.append(key)
                    current = nodes.count - 1
                }
            case .index(let k):
                if nodes[current].each != nil {
                    return .failure(.init("a path cannot take '[\(k)]' of an array another path iterates with '[]'"))
                }
                if let next = nodes[current].indexes[k] {
                    current = next
                } else {
                    nodes.append(BuildNode(inElement: array >= 0))
                    nodes[current].indexes[k] = nodes.count - 1
                    nodes[current].indexOrder.append(k)
                    current = nodes.count - 1
                }
            case .each:
                if !nodes[current].indexes.isEmpty {
                    return .failure(.init("a path cannot iterate ('[]') an array another path indexes with '[N]'"))
                }
                if let next = nodes[current].each {
                    current = next
                } else {
                    let id = Int32(elementSlots.count)
                    elementSlots.append(0)
                    nodes.append(BuildNode(arrayID: id, inElement: true))
                    nodes[current].each = nodes.count - 1
                    current = nodes.count - 1
                }
                array = nodes[current].arrayID
            }
        }
        if nodes[current].slot < 0 {
            if array >= 0 {
                nodes[current].slot = Int32(elementSlots[Int(array)])
                elementSlots[Int(array)] += 1
            } else {
                nodes[current].slot = Int32(rootSlots)
                rootSlots += 1
            }
        }
        return .success(SlotRef(array: array, index: nodes[current].slot))
    }

    func freeze() -> PathTrie {
        var trie = PathTrie()
        trie.nodes = []
        for node in nodes {
            var frozen = PathTrie.Node()
            frozen.firstEdge = Int32(trie.edges.count)
            for key in node.keyOrder {
                let bytes = Array(key.utf8)
                trie.edges.append(
                    .init(
                        keyStart: Int32(trie.keyBytes.count), keyCount: Int32(bytes.count), index: -1,
                        child: Int32(node.keys[key]!),
                        head: bytes.withUnsafeBytes { PathTrie.head($0) }))
                trie.keyBytes.append(contentsOf: bytes)
            }
            for k in node.indexOrder {
                trie.edges.append(.init(keyStart: 0, keyCount: 0, index: Int32(k), child: Int32(node.indexes[k]!)))
            }
            frozen.edgeCount = Int32(trie.edges.count) - frozen.firstEdge
            frozen.hasIndexEdges = !node.indexOrder.isEmpty
            frozen.eachChild = Int32(node.each ?? -1)
            frozen.arrayID = node.arrayID
            frozen.slot = node.slot
            frozen.inElement = node.inElement
            trie.nodes.append(frozen)
        }
        trie.rootSlotCount = rootSlots
        trie.elementSlotCounts = elementSlots
        return trie
    }
}
