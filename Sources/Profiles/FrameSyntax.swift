/// How one text-frame family wraps its messages, e.g. `[3G*id*len*CMD,f1,f2]` or
/// `IWAP49,68#`: a start literal, header fields, a command, separated fields, an end literal.
struct FrameSyntax: Sendable {
    var start: [UInt8] = []
    var end: [UInt8] = []
    var endOptional = false
    var headerCount = 0
    var headerSeparator: UInt8 = UInt8(ascii: "*")
    /// Fixed command width; 0 means the command runs to the first separator.
    var commandWidth = 0
    var separator: UInt8 = UInt8(ascii: ",")
    /// Header slot holding the byte count of command plus fields, or -1.
    var lengthSlot: Int32 = -1
    var lengthRadix = 16
}

/// Where the parts of one frame lie.
struct FrameCut {
    var commandStart: Int
    var commandEnd: Int
    var fieldsStart: Int
    var bodyEnd: Int
    var hasFields: Bool
}

extension FrameSyntax {
    /// Finds start, header fields (written to `root[0..<headerCount]`), command and body.
    /// Nil when the frame is malformed or not clean UTF-8 text.
    func cut(_ p: UnsafeRawBufferPointer, into root: inout [Span]) -> FrameCut? {
        var lo = 0
        var hi = p.count
        while hi > lo, p[hi - 1] == 0x0A || p[hi - 1] == 0x0D { hi -= 1 }
        guard hi - lo >= start.count else { return nil }
        for k in 0..<start.count where p[k] != start[k] { return nil }
        lo += start.count
        if !end.isEmpty {
            var hasEnd = hi - lo >= end.count
            if hasEnd {
                for k in 0..<end.count where p[hi - end.count + k] != end[k] {
                    hasEnd = false
                    break
                }
            }
            if hasEnd {
                hi -= end.count
            } else if !endOptional {
                return nil
            }
        }
        guard PayloadText.isCleanText(UnsafeRawBufferPointer(rebasing: p[lo..<hi])) else { return nil }
        var pos = lo
        for h in 0..<headerCount {
            var sep = pos
            while sep < hi, p[sep] != headerSeparator { sep += 1 }
            guard sep < hi else { return nil }
            root[h] = Span(start: pos, end: sep, kind: sep > pos ? .text : .absent)
            pos = sep + 1
        }
        let commandStart = pos
        var commandEnd: Int
        var fieldsStart: Int
        var hasFields: Bool
        if commandWidth > 0 {
            guard pos + commandWidth <= hi else { return nil }
            commandEnd = pos + commandWidth
            fieldsStart = commandEnd
            hasFields = fieldsStart < hi
            if hasFields, p[fieldsStart] == separator { fieldsStart += 1 }
        } else {
            commandEnd = pos
            while commandEnd < hi, p[commandEnd] != separator { commandEnd += 1 }
            hasFields = commandEnd < hi
            fieldsStart = hasFields ? commandEnd + 1 : hi
        }
        guard commandEnd > commandStart else { return nil }
        return FrameCut(
            commandStart: commandStart, commandEnd: commandEnd, fieldsStart: fieldsStart, bodyEnd: hi,
            hasFields: hasFields)
    }
}

/// The fields of one message type, in frame order; a fixed-width entry splits one
/// separated field into sub-fields by width (IW `AP01`).
struct FrameLayout: Sendable {
    struct Entry: Sendable {
        /// Slot of a plain field (-1: ignored); unused for a fixed-width entry.
        var slot: Int32
        var firstPart: Int32 = 0
        var partCount: Int32 = 0
        var totalWidth: Int32 = 0
    }

    struct Part: Sendable {
        var slot: Int32
        var width: Int32
    }

    var entries: [Entry] = []
    var parts: [Part] = []

    /// Writes each named field's span into `root`. Missing trailing fields and empty
    /// fields stay absent. False when a fixed-width field is shorter than its layout.
    func split(_ p: UnsafeRawBufferPointer, _ cut: FrameCut, separator: UInt8, into root: inout [Span]) -> Bool {
        guard cut.hasFields else { return true }
        var pos = cut.fieldsStart
        let hi = cut.bodyEnd
        var k = 0
        while k < entries.count {
            var fieldEnd = pos
            while fieldEnd < hi, p[fieldEnd] != separator { fieldEnd += 1 }
            let entry = entries[k]
            if entry.partCount == 0 {
                if entry.slot >= 0, fieldEnd > pos {
                    root[Int(entry.slot)] = Span(start: pos, end: fieldEnd, kind: .text)
                }
            } else if fieldEnd > pos {
                guard fieldEnd - pos >= Int(entry.totalWidth) else { return false }
                var at = pos
                for q in Int(entry.firstPart)..<Int(entry.firstPart + entry.partCount) {
                    let part = parts[q]
                    if part.slot >= 0 { root[Int(part.slot)] = Span(start: at, end: at + Int(part.width), kind: .text) }
                    at += Int(part.width)
                }
            }
            k += 1
            guard fieldEnd < hi else { break }
            pos = fieldEnd + 1
        }
        return true
    }
}
