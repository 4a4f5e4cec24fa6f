/// A single-pass JSON reader over the payload bytes. It checks that the payload is one
/// well-formed JSON value (UTF-8 strings included) and, guided by the profile's `PathTrie`,
/// records where each wanted value lies. It builds no tree and copies no strings.
struct JSONScanner {
    private let p: UnsafeRawBufferPointer
    private let trie: PathTrie
    private var i = 0
    private static let maxDepth = 64

    init(payload: UnsafeRawBufferPointer, trie: PathTrie) {
        self.p = payload
        self.trie = trie
    }

    /// Scans the whole payload into `s`. False when the payload is not exactly one JSON value.
    mutating func scan(into s: inout DecodeScratch) -> Bool {
        skipSpace()
        guard value(node: 0, base: 0, depth: 0, &s) else { return false }
        skipSpace()
        return i == p.count
    }

    @inline(__always)
    private mutating func skipSpace() {
        while i < p.count {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    private mutating func value(node: Int32, base: Int32, depth: Int, _ s: inout DecodeScratch) -> Bool {
        guard i < p.count, depth < Self.maxDepth else { return false }
        let start = i
        var kind: SpanKind
        var escaped = false
        switch p[i] {
        case UInt8(ascii: "{"):
            kind = .object
            guard object(node, base, depth, &s) else { return false }
        case UInt8(ascii: "["):
            kind = .array
            guard array(node, base, depth, &s) else { return false }
        case UInt8(ascii: "\""):
            kind = .string
            guard let e = string() else { return false }
            escaped = e
        case UInt8(ascii: "t"):
            kind = .trueLiteral
            guard literal("true") else { return false }
        case UInt8(ascii: "f"):
            kind = .falseLiteral
            guard literal("false") else { return false }
        case UInt8(ascii: "n"):
            kind = .null
            guard literal("null") else { return false }
        default:
            kind = .number
            guard number() else { return false }
        }
        guard node >= 0 else { return true }
        let nd = trie.nodes[Int(node)]
        if nd.slot >= 0 {
            let span =
                kind == .string
                ? Span(start: start + 1, end: i - 1, kind: .string, escaped: escaped)
                : Span(start: start, end: i, kind: kind)
            if nd.inElement {
                s.elements[Int(base + nd.slot)] = span
            } else {
                s.root[Int(nd.slot)] = span
            }
        }
        if nd.edgeCount > 0 || nd.eachChild >= 0 {
            switch kind {
            case .object:
                if nd.hasIndexEdges || nd.eachChild >= 0 { markChildren(nd, base, keys: false, arrays: true, &s) }
            case .array:
                markChildren(nd, base, keys: true, arrays: false, &s)
            case .null:
                break
            default:
                markChildren(nd, base, keys: true, arrays: true, &s)
            }
        }
        return true
    }

    private mutating func object(_ node: Int32, _ base: Int32, _ depth: Int, _ s: inout DecodeScratch) -> Bool {
        i += 1
        skipSpace()
        guard i < p.count else { return false }
        if p[i] == UInt8(ascii: "}") {
            i += 1
            return true
        }
        let searchKeys = node >= 0 && trie.nodes[Int(node)].edgeCount > 0
        while true {
            guard i < p.count, p[i] == UInt8(ascii: "\"") else { return false }
            let keyStart = i + 1
            guard let keyEscaped = string() else { return false }
            let keyEnd = i - 1
            skipSpace()
            guard i < p.count, p[i] == UInt8(ascii: ":") else { return false }
            i += 1
            skipSpace()
            let child = searchKeys ? childForKey(node, keyStart, keyEnd, keyEscaped) : -1
            guard value(node: child, base: base, depth: depth + 1, &s) else { return false }
            skipSpace()
            guard i < p.count else { return false }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                skipSpace()
            } else if p[i] == UInt8(ascii: "}") {
                i += 1
                return true
            } else {
                return false
            }
        }
    }

    private mutating func array(_ node: Int32, _ base: Int32, _ depth: Int, _ s: inout DecodeScratch) -> Bool {
        i += 1
        var each: Int32 = -1
        var arrayID = -1
        var indexed = false
        if node >= 0 {
            let nd = trie.nodes[Int(node)]
            each = nd.eachChild
            indexed = nd.hasIndexEdges
            if each >= 0 {
                arrayID = Int(trie.nodes[Int(each)].arrayID)
                s.arrays[arrayID] = ArrayBlock(base: Int32(s.elements.count), count: 0, seen: true, mismatch: false)
            }
        }
        skipSpace()
        guard i < p.count else { return false }
        if p[i] == UInt8(ascii: "]") {
            i += 1
            return true
        }
        var index: Int32 = 0
        while true {
            var child: Int32 = -1
            var childBase = base
            if each >= 0 {
                child = each
                childBase = Int32(s.elements.count)
                s.elements.append(contentsOf: repeatElement(Span.absent, count: trie.elementSlotCounts[arrayID]))
                s.arrays[arrayID].count += 1
            } else if indexed {
                child = childForIndex(node, index)
            }
            guard value(node: child, base: childBase, depth: depth + 1, &s) else { return false }
            index &+= 1
            skipSpace()
            guard i < p.count else { return false }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                skipSpace()
            } else if p[i] == UInt8(ascii: "]") {
                i += 1
                return true
            } else {
                return false
            }
        }
    }

    private func childForKey(_ node: Int32, _ start: Int, _ end: Int, _ escaped: Bool) -> Int32 {
        let nd = trie.nodes[Int(node)]
        let count = end - start
        if escaped {
            let key = Array(PayloadText.unescapedJSON(UnsafeRawBufferPointer(rebasing: p[start..<end])).utf8)
            var e = Int(nd.firstEdge)
            while e < Int(nd.firstEdge + nd.edgeCount) {
                let edge = trie.edges[e]
                if edge.index < 0,
                    trie.keyBytes[Int(edge.keyStart)..<Int(edge.keyStart + edge.keyCount)].elementsEqual(key)
                {
                    return edge.child
                }
                e += 1
            }
            return -1
        }
        // The length and the first 8 bytes settle most keys; only longer keys compare the rest.
        let head = PathTrie.head(UnsafeRawBufferPointer(rebasing: p[start..<end]))
        var e = Int(nd.firstEdge)
        let last = Int(nd.firstEdge + nd.edgeCount)
        while e < last {
            let edge = trie.edges[e]
            if edge.index < 0, Int(edge.keyCount) == count, edge.head == head {
                var k = 8
                let ks = Int(edge.keyStart)
                while k < count, trie.keyBytes[ks + k] == p[start + k] { k += 1 }
                if k >= count { return edge.child }
            }
            e += 1
        }
        return -1
    }

    private func childForIndex(_ node: Int32, _ index: Int32) -> Int32 {
        let nd = trie.nodes[Int(node)]
        var e = Int(nd.firstEdge)
        while e < Int(nd.firstEdge + nd.edgeCount) {
            if trie.edges[e].index == index { return trie.edges[e].child }
            e += 1
        }
        return -1
    }

    /// The payload had a value of another type where the profile's paths go deeper: every
    /// wanted value below is marked, so a message that needs it is rejected as wrong_type.
    private func markChildren(
        _ nd: PathTrie.Node, _ base: Int32, keys: Bool, arrays: Bool, _ s: inout DecodeScratch
    ) {
        var e = Int(nd.firstEdge)
        while e < Int(nd.firstEdge + nd.edgeCount) {
            let edge = trie.edges[e]
            if (edge.index < 0 && keys) || (edge.index >= 0 && arrays) { markSubtree(edge.child, base, &s) }
            e += 1
        }
        if arrays, nd.eachChild >= 0 { markSubtree(nd.eachChild, base, &s) }
    }

    private func markSubtree(_ node: Int32, _ base: Int32, _ s: inout DecodeScratch) {
        let nd = trie.nodes[Int(node)]
        if nd.arrayID >= 0 {
            s.arrays[Int(nd.arrayID)].mismatch = true
            s.arrays[Int(nd.arrayID)].seen = true
            return
        }
        if nd.slot >= 0 {
            let span = Span(start: 0, end: 0, kind: .mismatch)
            if nd.inElement {
                s.elements[Int(base + nd.slot)] = span
            } else {
                s.root[Int(nd.slot)] = span
            }
        }
        markChildren(nd, base, keys: true, arrays: true, &s)
    }

    /// At an opening quote: moves past the closing one. Returns whether the string had
    /// escapes, or nil when it is malformed (bad escape, control byte, invalid UTF-8, no end).
    private mutating func string() -> Bool? {
        i += 1
        var escaped = false
        let n = p.count
        while i < n {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return escaped
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < n else { return nil }
                switch p[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < n,
                        PayloadText.unsigned(UnsafeRawBufferPointer(rebasing: p[(i + 2)..<(i + 6)]), radix: 16) != nil
                    else { return nil }
                    i += 6
                default:
                    return nil
                }
            } else if c < 0x20 {
                return nil
            } else if c < 0x80 {
                i += 1
            } else {
                guard let len = PayloadText.utf8SequenceLength(p, i) else { return nil }
                i += len
            }
        }
        return nil
    }

    private mutating func number() -> Bool {
        let n = p.count
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n else { return false }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else if PayloadText.isDigit(p[i]) {
            while i < n, PayloadText.isDigit(p[i]) { i += 1 }
        } else {
            return false
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            let d = i
            while i < n, PayloadText.isDigit(p[i]) { i += 1 }
            guard i > d else { return false }
        }
        if i < n, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            let d = i
            while i < n, PayloadText.isDigit(p[i]) { i += 1 }
            guard i > d else { return false }
        }
        return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= p.count else { return false }
        let start = word.utf8Start
        for k in 0..<count where p[i + k] != start[k] { return false }
        i += count
        return true
    }
}
