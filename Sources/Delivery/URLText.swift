/// Percent-encoding for the few URL pieces Delivery builds itself.
enum URLText {
    /// Keeps RFC 3986 unreserved characters and encodes every other UTF-8 byte as `%XX`
    /// (uppercase hex). For Base64 text this is what Java's `URLEncoder` and Python's
    /// `quote_plus` give (`+`, `/` and `=` are all encoded).
    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One path segment: ``encode(_:)``.
    static func pathSegment(_ text: String) -> String { encode(text) }
}
