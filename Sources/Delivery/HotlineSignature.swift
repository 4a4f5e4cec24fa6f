import Crypto

/// The `X-Anxin-Signature` header value (SPEC section 7).
public enum HotlineSignature {
    /// The header's name.
    public static let header = "X-Anxin-Signature"

    /// `sha256=<lowercase hex HMAC-SHA256 of the exact body bytes>`.
    public static func sign(body: [UInt8], secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = Array("sha256=".utf8)
        out.reserveCapacity(7 + 64)
        for byte in mac {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
