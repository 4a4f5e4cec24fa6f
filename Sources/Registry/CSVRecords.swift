/// RFC 4180 records: comma-separated fields, CRLF or LF (or lone CR) line ends, fields in
/// double quotes may hold commas, line breaks and doubled quotes. Each record keeps the
/// line it starts on, so that problems in a row are reported where an editor shows it.
struct CSVRecords {
    struct Record {
        var line: Int
        var fields: [String]
    }

    struct UnterminatedQuote: Error {
        /// Line where the quoted field starts.
        var line: Int
    }

    static func parse(_ text: String) throws(UnterminatedQuote) -> [Record] {
        let bytes = Array(text.utf8)
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var i = 0
        let n = bytes.count
        var atFieldStart = true

        func endRecord() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            records.append(Record(line: recordLine, fields: fields))
            fields.removeAll(keepingCapacity: true)
            atFieldStart = true
        }

        while i < n {
            let b = bytes[i]
            if atFieldStart && b == UInt8(ascii: "\"") {
                let quoteLine = line
                i += 1
                var closed = false
                while i < n {
                    let c = bytes[i]
                    if c == UInt8(ascii: "\"") {
                        if i + 1 < n && bytes[i + 1] == UInt8(ascii: "\"") {
                            field.append(c)
                            i += 2
                            continue
                        }
                        i += 1
                        closed = true
                        break
                    }
                    if c == 0x0A || (c == 0x0D && !(i + 1 < n && bytes[i + 1] == 0x0A)) { line += 1 }
                    field.append(c)
                    i += 1
                }
                guard closed else { throw UnterminatedQuote(line: quoteLine) }
                atFieldStart = false
                continue
            }
            atFieldStart = false
            switch b {
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
                i += 1
            case 0x0D, 0x0A:
                i += (b == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A) ? 2 : 1
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(b)
                i += 1
            }
        }
        if !fields.isEmpty || !field.isEmpty { endRecord() }
        return records
    }
}
