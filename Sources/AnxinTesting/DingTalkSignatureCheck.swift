import AnxinCore
import Crypto
import Foundation

/// The receiving side of DingTalk's signed mode, written independently of Anxin's signer so a
/// test can check what actually arrived: `timestamp` within an hour of `now`, and `sign`, once
/// percent-decoded and Base64-decoded, equal to HMAC-SHA256(key: secret, "<timestamp>\n<secret>").
public enum DingTalkSignatureCheck {
    /// True when the request's query carries a valid `timestamp` and `sign` for `secret`.
    public static func isValid(_ request: HotlineReceiver.Request, secret: String, now: EpochMillis) -> Bool {
        guard let stamp = request.queryValue("timestamp"), let timestamp = Int64(stamp),
            abs(now - timestamp) <= 3_600_000,
            let encoded = request.queryValue("sign"), let decoded = percentDecoded(encoded),
            let mac = Data(base64Encoded: decoded)
        else { return false }
        let message = Data((stamp + "\n" + secret).utf8)
        return HMAC<SHA256>.isValidAuthenticationCode(
            mac, authenticating: message, using: SymmetricKey(data: Data(secret.utf8)))
    }

    /// `%2B` → `+` and so on; `+` stays `+` (a Base64 character, never a space here). Nil when
    /// an escape is broken.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var it = Array(text.utf8).makeIterator()
        while let b = it.next() {
            guard b == UInt8(ascii: "%") else {
                bytes.append(b)
                continue
            }
            guard let hi = it.next(), let lo = it.next(),
                let value = UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(bytes: bytes, encoding: .utf8)
    }
}
