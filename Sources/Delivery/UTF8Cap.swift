/// Cuts text to a UTF-8 byte budget without splitting a character.
enum UTF8Cap {
    /// `text` when it fits in `maxBytes`; otherwise its longest prefix of whole characters that
    /// fits together with a trailing `…`.
    static func cut(_ text: String, maxBytes: Int) -> String {
        if text.utf8.count <= maxBytes { return text }
        let ellipsis = "…"
        let budget = maxBytes - ellipsis.utf8.count
        guard budget > 0 else { return "" }
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].utf8.count
            if used + size > budget { break }
            used += size
            end = text.index(after: index)
        }
        return String(text[..<end]) + ellipsis
    }
}
