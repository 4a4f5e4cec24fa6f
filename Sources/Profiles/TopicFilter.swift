/// An MQTT topic filter (`watch/iw/+/up`, `bed/wisleep/#`), compiled to byte levels.
struct TopicFilter: Sendable {
    enum Level: Sendable {
        case literal([UInt8])
        case single
        case multi
    }

    let text: String
    let levels: [Level]

    /// Checks the filter by the MQTT rules; the error says what is wrong.
    static func parse(_ text: String) -> Result<TopicFilter, FilterError> {
        guard !text.isEmpty else { return .failure(FilterError("a topic filter must not be empty")) }
        guard text.utf8.count <= 65535 else { return .failure(FilterError("topic filter is too long")) }
        guard !text.utf8.contains(0) else { return .failure(FilterError("topic filter contains a NUL byte")) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        var levels: [Level] = []
        for (i, part) in parts.enumerated() {
            if part == "#" {
                guard i == parts.count - 1 else {
                    return .failure(FilterError("'#' must be the last level of topic filter '\(text)'"))
                }
                levels.append(.multi)
            } else if part == "+" {
                levels.append(.single)
            } else if part.contains("#") || part.contains("+") {
                return .failure(
                    FilterError("'+' and '#' must fill a whole level in topic filter '\(text)'"))
            } else {
                levels.append(.literal(Array(part.utf8)))
            }
        }
        return .success(TopicFilter(text: text, levels: levels))
    }

    struct FilterError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// Whether `topic` matches this filter (MQTT 3.1.1 section 4.7).
    func matches(_ topic: UnsafeRawBufferPointer) -> Bool {
        let n = topic.count
        if n > 0, topic[0] == UInt8(ascii: "$") {
            switch levels.first {
            case .single?, .multi?: return false
            default: break
            }
        }
        var pos = 0
        for level in levels {
            if case .multi = level { return true }
            if pos > n { return false }
            var end = pos
            while end < n, topic[end] != UInt8(ascii: "/") { end += 1 }
            if case .literal(let bytes) = level {
                guard bytes.count == end - pos else { return false }
                var k = 0
                while k < bytes.count {
                    if bytes[k] != topic[pos + k] { return false }
                    k += 1
                }
            }
            pos = end + 1
        }
        return pos == n + 1
    }

    /// The byte range of 1-based topic level `level`, or nil when the topic is shorter.
    static func levelRange(_ topic: UnsafeRawBufferPointer, level: Int) -> Range<Int>? {
        var current = 1
        var start = 0
        var i = 0
        while i < topic.count {
            if topic[i] == UInt8(ascii: "/") {
                if current == level { return start..<i }
                current += 1
                start = i + 1
            }
            i += 1
        }
        return current == level ? start..<topic.count : nil
    }
}
