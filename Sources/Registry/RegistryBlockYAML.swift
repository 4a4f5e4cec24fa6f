import Foundation

/// Composes the entries of a registry in its usual block layout straight from the file's bytes,
/// an entry at a time, for `RegistryBlockYAML.draft`.
///
/// It knows the part of YAML that registries are written in: block mappings and sequences
/// (compact `- key: value` items, a sequence at its key's indentation), one-line flow
/// collections, plain scalars on one line, and quoted scalars on one line with the common
/// escapes. Anything else — anchors, tags, block scalars, multi-line scalars or flows, a
/// duplicate key, an unusual character — is `Unsupported`, and the caller composes the whole
/// file with Yams instead, so nothing is ever read differently: this only decides faster when
/// it can. Composing 100,000 residents with Yams took about 6 s; this takes a fraction of that.
struct RegistryBlockYAML {
    struct Unsupported: Error {}

    /// A line of the entry that is neither blank nor only a comment.
    private struct Line {
        var start: Int
        var end: Int
        var indent: Int
        var number: Int
    }

    private let b: UnsafeBufferPointer<UInt8>
    private var lines: [Line] = []
    private var li = 0
    /// Nodes open around the one being read.
    private var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        b = bytes
    }

    /// Reads `bytes` (valid UTF-8) into a draft when the file is in the usual layout, uses only
    /// what this reader knows, and the registry reader finds nothing to report in it; nil
    /// otherwise, for the caller to read the file with Yams and report what it finds.
    ///
    /// A large registry is read in a part per core (at most `parts`), each a run of whole entries. The
    /// first part of the residents holds room for all of them, and the others are appended to it; the
    /// bytes are let go (if the caller gave them up) before that, so the file, the parts and the whole
    /// are never all held at once (a first start with 100,000 residents peaked at 198 MB with them).
    ///
    /// `releasingRead`: the caller gave the bytes up (nothing else holds them), so each part gives back
    /// the pages of the entries it has composed as it goes, a megabyte at a time: the file's 31 MB and
    /// the residents composed from it are then never both held in full (a reload that parses a changed
    /// registry holds the registry in use besides).
    static func draft(
        bytes: consuming [UInt8], path: String, parts: Int? = nil, releasingRead: Bool = false
    ) -> RegistryDraft? {
        guard plainCharacters(bytes), let layout = RegistryYAMLChunks.layout(bytes) else { return nil }
        var work: [(section: RegistryYAMLChunks.Layout, entries: Range<Int>)] = []
        let total = layout.reduce(0) { $0 + $1.starts.count }
        let cores = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        let parts = max(1, parts ?? (total < 20_000 ? 1 : cores))
        let perPart = (total + parts - 1) / parts
        for section in layout {
            var first = 0
            while first < section.starts.count {
                let next = min(section.starts.count, first + perPart)
                work.append((section, first..<next))
                first = next
            }
        }
        let results = UnsafeMutableBufferPointer<RegistryDraft?>.allocate(capacity: work.count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let jobs = work
        let residentCount = layout.first { $0.key == "residents" }?.starts.count ?? 0
        let firstResidents = jobs.firstIndex { $0.section.key == "residents" }
        func readParts(_ buffer: UnsafeBufferPointer<UInt8>) {
            let shared = SharedBuffers(bytes: buffer, results: results)
            DispatchQueue.concurrentPerform(iterations: jobs.count) { n in
                shared.results[n] = read(
                    shared.bytes, jobs[n].section, entries: jobs[n].entries,
                    reserve: n == firstResidents ? residentCount : jobs[n].entries.count, path: path,
                    releasing: releasingRead)
            }
        }
        if releasingRead {
            // Mutable access makes sure the pages given back are this array's alone (a copy, were they not).
            bytes.withUnsafeMutableBufferPointer { readParts(UnsafeBufferPointer($0)) }
        } else {
            bytes.withUnsafeBufferPointer(readParts)
        }
        bytes = []
        guard results.allSatisfy({ $0 != nil }) else { return nil }
        guard !results.isEmpty else { return RegistryDraft() }
        // Each part is let go once appended, so the parts and the whole are never both held in full.
        let first = firstResidents ?? 0
        guard var draft = results[first] else { return nil }
        results[first] = nil
        draft.residents.reserveCapacity(residentCount)
        // Parts before the first of the residents hold beds only (a `beds:` section first in the file).
        var bedsBefore: [RegistryDraft.BedEntry] = []
        for n in results.indices where n != first {
            guard let part = results[n] else { continue }
            results[n] = nil
            if n < first {
                bedsBefore.append(contentsOf: part.beds)
            } else {
                draft.residents.append(contentsOf: part.residents)
                draft.beds.append(contentsOf: part.beds)
            }
        }
        draft.beds.insert(contentsOf: bedsBefore, at: 0)
        return draft
    }

    /// Gives back the pages wholly inside `range` of `buffer`, which are not read again: they read as
    /// zeros afterwards.
    private static func releasePages(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        guard let base = buffer.baseAddress, !range.isEmpty else { return }
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let first = (UInt(bitPattern: base + range.lowerBound) + page - 1) & ~(page - 1)
        let last = UInt(bitPattern: base + range.upperBound) & ~(page - 1)
        guard last > first, let start = UnsafeMutableRawPointer(bitPattern: first) else { return }
        madvise(start, Int(last - first), MADV_DONTNEED)
    }

    /// The file's bytes, only read, and a result slot per part, each written by its part only
    /// and read after all parts are done.
    private struct SharedBuffers: @unchecked Sendable {
        let bytes: UnsafeBufferPointer<UInt8>
        let results: UnsafeMutableBufferPointer<RegistryDraft?>
    }

    /// Entries `entries` of one section, or nil at the first that is unsupported or has a problem.
    private static func read(
        _ buffer: UnsafeBufferPointer<UInt8>, _ section: RegistryYAMLChunks.Layout, entries: Range<Int>,
        reserve: Int, path: String, releasing: Bool
    ) -> RegistryDraft? {
        var composer = RegistryBlockYAML(bytes: buffer)
        var released = entries.isEmpty ? 0 : section.starts[entries.lowerBound].offset
        var reader = RegistryYAMLReader(path: path)
        var draft = RegistryDraft()
        let isResidents = section.key == "residents"
        if isResidents { draft.residents.reserveCapacity(reserve) }
        for n in entries {
            let start = section.starts[n]
            let end = n + 1 < section.starts.count ? section.starts[n + 1].offset : section.end
            if releasing, start.offset - released >= 1 << 20 {
                // Only entries this part composed already lie behind `start`, and only pages wholly among
                // them are given back (never one it shares with another part).
                releasePages(buffer, released..<start.offset)
                released = start.offset
            }
            guard
                let node = try? composer.entry(from: start.offset, to: end, line: start.line, indent: section.indent)
            else { return nil }
            if isResidents {
                guard let entry = reader.resident(node) else { return nil }
                draft.residents.append(entry)
            } else {
                guard let entry = reader.bed(node) else { return nil }
                draft.beds.append(entry)
            }
            guard reader.log.isEmpty else { return nil }
        }
        return draft
    }

    /// False when the text holds a byte sequence YAML treats specially or refuses: a control
    /// character (tab and CR included), a byte order mark, U+FFFE/U+FFFF, or one of the
    /// line breaks NEL, LS and PS.
    static func plainCharacters(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { p in
            var i = 0
            let n = p.count
            while i < n {
                let c = p[i]
                if c < 0x80 {
                    if (c < 0x20 && c != 0x0A) || c == 0x7F { return false }
                    i += 1
                    continue
                }
                switch c {
                case 0xC2:
                    if i + 1 < n && p[i + 1] < 0xA0 { return false }  // C1 controls, NEL
                case 0xE2:
                    if i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9) { return false }
                case 0xEF:
                    if i + 2 < n
                        && ((p[i + 1] == 0xBB && p[i + 2] == 0xBF)
                            || (p[i + 1] == 0xBF && (p[i + 2] == 0xBE || p[i + 2] == 0xBF)))
                    {
                        return false
                    }
                default: break
                }
                i += 1
            }
            return true
        }
    }

    /// One `- ` item of a section: the bytes `from..<to`, whose first line is file line `line`
    /// and starts with the item's dash at column `indent`.
    mutating func entry(from: Int, to: Int, line: Int, indent: Int) throws(Unsupported) -> RegistryNode {
        lines.removeAll(keepingCapacity: true)
        var i = from
        var number = line
        while i < to {
            let start = i
            while i < to && b[i] != Self.newline { i += 1 }
            let end = i
            i += 1
            defer { number += 1 }
            var k = start
            while k < end && b[k] == Self.space { k += 1 }
            if k == end || b[k] == Self.hash { continue }
            lines.append(Line(start: start, end: end, indent: k - start, number: number))
        }
        li = 0
        guard let first = lines.first, first.indent == indent else { throw Unsupported() }
        let sequence = try blockSequence(at: first.start + indent)
        guard li == lines.count, case .sequence(let items, _) = sequence, items.count == 1 else {
            throw Unsupported()
        }
        return items[0]
    }

    // MARK: block structure

    /// The node that starts at byte `p` of the current line.
    private mutating func node(at p: Int) throws(Unsupported) -> RegistryNode {
        // A registry nests four deep; deeper input is left to Yams rather than this reader's stack.
        guard depth < Self.deepest else { throw Unsupported() }
        depth += 1
        defer { depth -= 1 }
        let line = lines[li]
        if isSequenceIndicator(p, end: line.end) { return try blockSequence(at: p) }
        if b[p] == Self.openBracket || b[p] == Self.openBrace { return try inlineValue(at: p) }
        if try key(at: p, end: line.end, line: line.number) != nil { return try blockMapping(at: p) }
        return try inlineValue(at: p)
    }

    private func isSequenceIndicator(_ p: Int, end: Int) -> Bool {
        b[p] == Self.dash && (p + 1 == end || b[p + 1] == Self.space)
    }

    /// A block sequence whose first dash is at byte `first` of the current line; later items
    /// are lines with a dash at the same column.
    private mutating func blockSequence(at first: Int) throws(Unsupported) -> RegistryNode {
        let column = first - lines[li].start
        let startLine = lines[li].number
        var items: [RegistryNode] = []
        var p = first
        while true {
            let line = lines[li]
            var q = p + 1
            while q < line.end && b[q] == Self.space { q += 1 }
            if q == line.end || b[q] == Self.hash {
                li += 1
                if li < lines.count && lines[li].indent > column {
                    items.append(try node(at: lines[li].start + lines[li].indent))
                } else {
                    items.append(.scalar("", plain: true, line: line.number))
                }
            } else {
                items.append(try node(at: q))
            }
            guard li < lines.count else { break }
            let next = lines[li]
            if next.indent > column { throw Unsupported() }
            if next.indent < column || !isSequenceIndicator(next.start + column, end: next.end) { break }
            p = next.start + column
        }
        return .sequence(items, line: startLine)
    }

    /// A block mapping whose first key is at byte `first` of the current line; later keys are
    /// lines at the same column.
    private mutating func blockMapping(at first: Int) throws(Unsupported) -> RegistryNode {
        let column = first - lines[li].start
        let startLine = lines[li].number
        var pairs: [(key: RegistryNode, value: RegistryNode)] = []
        var p = first
        while true {
            let line = lines[li]
            guard let (key, afterColon) = try key(at: p, end: line.end, line: line.number) else {
                throw Unsupported()
            }
            let name = key.scalar?.string
            if pairs.contains(where: { $0.key.scalar?.string == name }) { throw Unsupported() }
            var q = afterColon
            while q < line.end && b[q] == Self.space { q += 1 }
            let value: RegistryNode
            if q == line.end || b[q] == Self.hash {
                li += 1
                if li < lines.count && lines[li].indent > column {
                    value = try node(at: lines[li].start + lines[li].indent)
                } else if li < lines.count && lines[li].indent == column
                    && isSequenceIndicator(lines[li].start + column, end: lines[li].end)
                {
                    value = try blockSequence(at: lines[li].start + column)
                } else {
                    value = .scalar("", plain: true, line: line.number)
                }
            } else {
                value = try inlineValue(at: q)
            }
            pairs.append((key, value))
            guard li < lines.count else { break }
            let next = lines[li]
            if next.indent > column { throw Unsupported() }
            if next.indent < column { break }
            if isSequenceIndicator(next.start + column, end: next.end) { throw Unsupported() }
            p = next.start + column
        }
        return .mapping(pairs, line: startLine)
    }

    /// When a block mapping key starts at `p`: the key, and the byte after its colon. Nil when
    /// the line is not a key; `Unsupported` for a key this reader does not take.
    private func key(at p: Int, end: Int, line: Int) throws(Unsupported) -> (RegistryNode, Int)? {
        var q: Int
        let key: RegistryNode
        if b[p] == Self.doubleQuote || b[p] == Self.singleQuote {
            let (text, after) = try quoted(at: p, end: end)
            guard after < end, b[after] == Self.colon else { return nil }
            key = .scalar(text, plain: false, line: line)
            q = after
        } else {
            var i = p
            while i < end {
                if b[i] == Self.colon && (i + 1 == end || b[i + 1] == Self.space) { break }
                if b[i] == Self.hash && i > p && b[i - 1] == Self.space { return nil }
                i += 1
            }
            guard i < end else { return nil }
            guard i > p, b[p] != Self.dash, (p..<i).allSatisfy({ Self.isKeyByte(b[$0]) }) else {
                throw Unsupported()
            }
            key = .scalar(text(p, i), plain: true, line: line)
            q = i
        }
        // YAML limits an implicit key to 1024 characters; a long one is left to Yams.
        guard q - p <= Self.longestKey else { throw Unsupported() }
        q += 1
        guard q == end || b[q] == Self.space else { return nil }
        return (key, q)
    }

    /// A scalar or flow collection at `p` that ends the current line (save a comment).
    private mutating func inlineValue(at p: Int) throws(Unsupported) -> RegistryNode {
        let line = lines[li]
        let node: RegistryNode
        var q: Int
        switch b[p] {
        case Self.doubleQuote, Self.singleQuote:
            let (text, after) = try quoted(at: p, end: line.end)
            node = .scalar(text, plain: false, line: line.number)
            q = after
        case Self.openBracket, Self.openBrace:
            (node, q) = try flow(at: p, end: line.end, line: line.number, depth: depth)
        default:
            let (text, after) = try plainBlock(at: p, end: line.end)
            node = .scalar(text, plain: true, line: line.number)
            q = after
        }
        while q < line.end && b[q] == Self.space { q += 1 }
        guard q == line.end || (b[q] == Self.hash && b[q - 1] == Self.space) else { throw Unsupported() }
        li += 1
        return node
    }

    // MARK: scalars

    /// A plain scalar in block context: to the end of the line or a comment, trailing spaces
    /// dropped. Returns the text and where it stopped.
    private func plainBlock(at p: Int, end: Int) throws(Unsupported) -> (String, Int) {
        try checkPlainStart(p, end: end)
        var i = p
        while i < end {
            let c = b[i]
            if c == Self.hash && b[i - 1] == Self.space { break }
            if c == Self.colon && (i + 1 == end || b[i + 1] == Self.space) { throw Unsupported() }
            i += 1
        }
        var e = i
        while e > p && b[e - 1] == Self.space { e -= 1 }
        return (text(p, e), i)
    }

    /// A plain scalar inside a flow collection: up to `,`, `]` or `}`. A colon, bracket or
    /// hash inside it is left to Yams.
    private func plainFlow(at p: Int, end: Int) throws(Unsupported) -> (String, Int) {
        // In a flow collection `?` and `:` are indicators whatever follows them.
        if b[p] == UInt8(ascii: "?") || b[p] == Self.colon { throw Unsupported() }
        try checkPlainStart(p, end: end)
        var i = p
        loop: while i < end {
            switch b[i] {
            case Self.comma, Self.closeBracket, Self.closeBrace: break loop
            case Self.colon, Self.openBracket, Self.openBrace, Self.hash: throw Unsupported()
            default: i += 1
            }
        }
        var e = i
        while e > p && b[e - 1] == Self.space { e -= 1 }
        guard e > p else { throw Unsupported() }
        return (text(p, e), i)
    }

    /// YAML's indicators cannot start a plain scalar; those this reader does not read as
    /// something else are `Unsupported`.
    private func checkPlainStart(_ p: Int, end: Int) throws(Unsupported) {
        switch b[p] {
        case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
            if p + 1 == end || b[p + 1] == Self.space || b[p + 1] == Self.comma
                || b[p + 1] == Self.closeBracket || b[p + 1] == Self.closeBrace
            {
                throw Unsupported()
            }
        case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
            UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
            UInt8(ascii: "`"):
            throw Unsupported()
        default: break
        }
    }

    /// A single- or double-quoted scalar that closes on its line; returns the text and the
    /// byte after the closing quote.
    private func quoted(at p: Int, end: Int) throws(Unsupported) -> (String, Int) {
        let quote = b[p]
        var i = p + 1
        var runStart = i
        var out: [UInt8] = []
        var escaped = false
        while true {
            guard i < end else { throw Unsupported() }
            let c = b[i]
            if c == quote {
                if quote == Self.singleQuote && i + 1 < end && b[i + 1] == Self.singleQuote {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<(i + 1)]))
                    escaped = true
                    i += 2
                    runStart = i
                    continue
                }
                break
            }
            if c == Self.backslash && quote == Self.doubleQuote {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<i]))
                escaped = true
                guard i + 1 < end else { throw Unsupported() }
                let e = b[i + 1]
                i += 2
                switch e {
                case Self.backslash, Self.doubleQuote, UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(Self.newline)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "u"):
                    guard i + 4 <= end, (i..<(i + 4)).allSatisfy({ b[$0].isHexDigit }),
                        let v = UInt32(text(i, i + 4), radix: 16), v != 0, let scalar = Unicode.Scalar(v)
                    else { throw Unsupported() }
                    UTF8.encode(scalar) { out.append($0) }
                    i += 4
                default: throw Unsupported()
                }
                runStart = i
                continue
            }
            i += 1
        }
        if !escaped { return (text(p + 1, i), i + 1) }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<i]))
        return (String(decoding: out, as: UTF8.self), i + 1)
    }

    // MARK: flow collections

    /// A `[…]` or `{…}` that closes on its line, with scalars and flow collections inside.
    private func flow(at p: Int, end: Int, line: Int, depth: Int) throws(Unsupported) -> (RegistryNode, Int) {
        guard depth < Self.deepest else { throw Unsupported() }
        let isMapping = b[p] == Self.openBrace
        let close = isMapping ? Self.closeBrace : Self.closeBracket
        var items: [RegistryNode] = []
        var pairs: [(key: RegistryNode, value: RegistryNode)] = []
        var i = p + 1
        skipSpaces(&i, end)
        guard i < end else { throw Unsupported() }
        if b[i] != close {
            while true {
                if isMapping {
                    let keyStart = i
                    let key: RegistryNode
                    if b[i] == Self.doubleQuote || b[i] == Self.singleQuote {
                        let (text, after) = try quoted(at: i, end: end)
                        key = .scalar(text, plain: false, line: line)
                        i = after
                    } else {
                        var k = i
                        while k < end && Self.isKeyByte(b[k]) { k += 1 }
                        guard k > i, b[i] != Self.dash else { throw Unsupported() }
                        key = .scalar(text(i, k), plain: true, line: line)
                        i = k
                    }
                    guard i + 1 < end, b[i] == Self.colon, b[i + 1] == Self.space, i - keyStart <= Self.longestKey
                    else { throw Unsupported() }
                    let name = key.scalar?.string
                    if pairs.contains(where: { $0.key.scalar?.string == name }) { throw Unsupported() }
                    i += 2
                    skipSpaces(&i, end)
                    guard i < end else { throw Unsupported() }
                    let (value, after) = try flowValue(at: i, end: end, line: line, depth: depth)
                    pairs.append((key, value))
                    i = after
                } else {
                    let (value, after) = try flowValue(at: i, end: end, line: line, depth: depth)
                    items.append(value)
                    i = after
                }
                skipSpaces(&i, end)
                guard i < end else { throw Unsupported() }
                if b[i] == close { break }
                guard b[i] == Self.comma else { throw Unsupported() }
                i += 1
                skipSpaces(&i, end)
                guard i < end, b[i] != close, b[i] != Self.comma else { throw Unsupported() }
            }
        }
        return (isMapping ? .mapping(pairs, line: line) : .sequence(items, line: line), i + 1)
    }

    private func flowValue(at p: Int, end: Int, line: Int, depth: Int) throws(Unsupported) -> (RegistryNode, Int) {
        switch b[p] {
        case Self.doubleQuote, Self.singleQuote:
            let (text, after) = try quoted(at: p, end: end)
            return (.scalar(text, plain: false, line: line), after)
        case Self.openBracket, Self.openBrace:
            return try flow(at: p, end: end, line: line, depth: depth + 1)
        default:
            let (text, after) = try plainFlow(at: p, end: end)
            return (.scalar(text, plain: true, line: line), after)
        }
    }

    // MARK: bytes

    private func skipSpaces(_ i: inout Int, _ end: Int) {
        while i < end && b[i] == Self.space { i += 1 }
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
    }

    /// Letters, digits, `_`, `-` and `.`: the plain keys this reader takes.
    private static func isKeyByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return true
        default: return false
        }
    }

    /// Bytes from a key's start to its colon, well within YAML's 1024 characters.
    private static let longestKey = 1_000
    /// Nesting this reader takes.
    private static let deepest = 32
    private static let newline = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")
    private static let hash = UInt8(ascii: "#")
    private static let dash = UInt8(ascii: "-")
    private static let colon = UInt8(ascii: ":")
    private static let comma = UInt8(ascii: ",")
    private static let backslash = UInt8(ascii: "\\")
    private static let doubleQuote = UInt8(ascii: "\"")
    private static let singleQuote = UInt8(ascii: "'")
    private static let openBracket = UInt8(ascii: "[")
    private static let closeBracket = UInt8(ascii: "]")
    private static let openBrace = UInt8(ascii: "{")
    private static let closeBrace = UInt8(ascii: "}")
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            return true
        default: return false
        }
    }
}
