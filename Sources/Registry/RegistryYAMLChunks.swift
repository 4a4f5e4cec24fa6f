/// Cuts a registry in the usual block layout into chunks of whole entries, each a small YAML
/// document of its own (`residents:` followed by up to `entriesPerChunk` of its `- ` items), with the
/// offset that turns a chunk's line numbers into the file's.
///
/// Only a plain layout is cut: top-level lines are `residents:` or `beds:` (each at most once),
/// comments or blank; every other line is indented (no tabs) and belongs to an entry that starts
/// with `- ` at the section's item indentation. Anything else (flow style, anchors across entries,
/// a document marker, CRLF line ends, an empty section) makes `split` return nil, and the file is
/// read whole.
enum RegistryYAMLChunks {
    static let entriesPerChunk = 2_000

    struct Chunk {
        var text: String
        var lineOffset: Int
    }

    struct Section {
        var key: String
        var chunks: [Chunk] = []
    }

    /// Where a section's entries are: each `- ` item's byte offset and file line, the items'
    /// column, and the byte where the section ends.
    struct Layout {
        var key: String
        var indent: Int
        var starts: [(offset: Int, line: Int)]
        var end: Int
    }

    static func split(_ text: String) -> [Section]? {
        let bytes = Array(text.utf8)
        guard let layout = layout(bytes) else { return nil }
        var out: [Section] = []
        for section in layout {
            var result = Section(key: section.key)
            var first = 0
            while first < section.starts.count {
                let next = min(section.starts.count, first + entriesPerChunk)
                let from = section.starts[first].offset
                let to = next < section.starts.count ? section.starts[next].offset : section.end
                // Line 1 of the chunk is the key, line 2 its first entry's first line.
                result.chunks.append(
                    Chunk(
                        text: section.key + ":\n" + String(decoding: bytes[from..<to], as: UTF8.self),
                        lineOffset: section.starts[first].line - 2))
                first = next
            }
            out.append(result)
        }
        return out
    }

    /// The sections of a file in the plain layout, each with at least one entry; nil for any
    /// other layout.
    static func layout(_ bytes: [UInt8]) -> [Layout]? {
        bytes.withUnsafeBufferPointer { layout($0) }
    }

    private static func layout(_ bytes: UnsafeBufferPointer<UInt8>) -> [Layout]? {
        if bytes.contains(where: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { return nil }
        // Each section's entry starts: (byte offset, line number), and where the section ends.
        var sections: [(key: String, indent: Int?, starts: [(offset: Int, line: Int)], end: Int)] = []
        var lineNumber = 0
        var i = 0
        while i < bytes.count {
            lineNumber += 1
            let start = i
            while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            let end = i
            i += 1  // past the newline
            var k = start
            while k < end && bytes[k] == UInt8(ascii: " ") { k += 1 }
            if k == end || bytes[k] == UInt8(ascii: "#") { continue }  // blank or a comment
            let indent = k - start
            let isItem = bytes[k] == UInt8(ascii: "-") && (k + 1 == end || bytes[k + 1] == UInt8(ascii: " "))
            if indent == 0 && !isItem {
                let line = String(decoding: bytes[start..<end], as: UTF8.self)
                guard line == "residents:" || line == "beds:" else { return nil }
                let key = String(line.dropLast())
                if sections.contains(where: { $0.key == key }) { return nil }
                if !sections.isEmpty { sections[sections.count - 1].end = start }
                sections.append((key, nil, [], bytes.count))
                continue
            }
            guard !sections.isEmpty else { return nil }
            let s = sections.count - 1
            if let itemIndent = sections[s].indent {
                if indent == itemIndent {
                    guard isItem else { return nil }
                    sections[s].starts.append((start, lineNumber))
                } else if indent < itemIndent || sections[s].starts.isEmpty {
                    return nil
                }
            } else {
                guard isItem else { return nil }
                sections[s].indent = indent
                sections[s].starts.append((start, lineNumber))
            }
        }
        guard !sections.isEmpty else { return nil }
        var out: [Layout] = []
        for section in sections {
            guard let indent = section.indent, !section.starts.isEmpty else { return nil }
            out.append(Layout(key: section.key, indent: indent, starts: section.starts, end: section.end))
        }
        return out
    }
}
