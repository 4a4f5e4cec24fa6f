/// Byte-level text helpers for payloads: numbers, hex, UTF-8 checks. No allocation on
/// the common paths.
enum PayloadText {
    private static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// A decimal number (`-12`, `000.1`, `24.669300`, `1.5e3`), correctly rounded, or nil when
    /// the bytes are not exactly one number.
    static func number(_ b: UnsafeRawBufferPointer) -> Double? {
        let n = b.count
        var i = 0
        guard n > 0 else { return nil }
        var negative = false
        if b[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        } else if b[0] == UInt8(ascii: "+") {
            i = 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exp10 = 0
        var digits = 0
        var truncated = false
        while i < n, isDigit(b[i]) {
            let d = UInt64(b[i] &- 48)
            digits += 1
            if mantissa == 0 && d == 0 {
            } else if significant < 19 {
                mantissa = mantissa * 10 + d
                significant += 1
            } else {
                exp10 += 1
                if d != 0 { truncated = true }
            }
            i += 1
        }
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, isDigit(b[i]) {
                let d = UInt64(b[i] &- 48)
                digits += 1
                if mantissa == 0 && d == 0 {
                    exp10 -= 1
                } else if significant < 19 {
                    mantissa = mantissa * 10 + d
                    significant += 1
                    exp10 -= 1
                } else if d != 0 {
                    truncated = true
                }
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < n, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < n, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < n, isDigit(b[i]) {
                if e < 100_000 { e = e * 10 + Int(b[i] &- 48) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            exp10 += expNegative ? -e : e
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if !truncated, mantissa <= (1 << 53), exp10 >= -22, exp10 <= 22 {
            let m = Double(mantissa)
            let v = exp10 < 0 ? m / exactPowers[-exp10] : m * exactPowers[exp10]
            return negative ? -v : v
        }
        return Double(String(decoding: b, as: UTF8.self))
    }

    /// Unsigned integer in `radix` (10 or 16), at most 64 bits; nil otherwise.
    static func unsigned(_ b: UnsafeRawBufferPointer, radix: Int) -> UInt64? {
        guard !b.isEmpty else { return nil }
        var v: UInt64 = 0
        for c in b {
            let d: UInt64
            switch c {
            case 48...57: d = UInt64(c - 48)
            case 65...70: d = UInt64(c - 55)
            case 97...102: d = UInt64(c - 87)
            default: return nil
            }
            guard d < UInt64(radix) else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: UInt64(radix))
            let (s, o2) = m.addingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            v = s
        }
        return v
    }

    /// Length of the valid multi-byte UTF-8 sequence starting at `i`, or nil.
    @inline(__always)
    static func utf8SequenceLength(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        let c = b[i]
        var need: Int
        var cp: UInt32
        var minimum: UInt32
        if c & 0xE0 == 0xC0 {
            need = 1
            cp = UInt32(c & 0x1F)
            minimum = 0x80
        } else if c & 0xF0 == 0xE0 {
            need = 2
            cp = UInt32(c & 0x0F)
            minimum = 0x800
        } else if c & 0xF8 == 0xF0 {
            need = 3
            cp = UInt32(c & 0x07)
            minimum = 0x10000
        } else {
            return nil
        }
        guard i + need < b.count else { return nil }
        var k = 1
        while k <= need {
            let d = b[i + k]
            guard d & 0xC0 == 0x80 else { return nil }
            cp = cp << 6 | UInt32(d & 0x3F)
            k += 1
        }
        guard cp >= minimum, cp <= 0x10FFFF, !(0xD800...0xDFFF).contains(cp) else { return nil }
        return need + 1
    }

    /// Whether the bytes are UTF-8 text without control characters (what a text frame is).
    static func isCleanText(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                if c < 0x20 || c == 0x7F { return false }
                i += 1
            } else {
                guard let len = utf8SequenceLength(b, i) else { return false }
                i += len
            }
        }
        return true
    }

    /// The text of a JSON string body with its escapes resolved (slow path, rare).
    static func unescapedJSON(_ b: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= b.count else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                guard let d = unsigned(UnsafeRawBufferPointer(rebasing: b[k..<(k + 1)]), radix: 16)
                else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        func append(_ scalar: UInt32) {
            if let u = Unicode.Scalar(scalar) {
                UTF8.encode(u) { out.append($0) }
            }
        }
        while i < b.count {
            let c = b[i]
            guard c == UInt8(ascii: "\\"), i + 1 < b.count else {
                out.append(c)
                i += 1
                continue
            }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                guard var v = hex4(i) else { break }
                i += 4
                if (0xD800...0xDBFF).contains(v), i + 6 <= b.count, b[i] == UInt8(ascii: "\\"),
                    b[i + 1] == UInt8(ascii: "u"), let lo = hex4(i + 2), (0xDC00...0xDFFF).contains(lo)
                {
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                append(v)
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
