import AnxinCore
import Crypto
import Foundation

/// DingTalk's signed ("加签") mode: the robot checks `timestamp` (milliseconds, within an hour
/// of its own clock) and `sign` = URL-encoded Base64 of HMAC-SHA256, keyed with the secret
/// (`SEC…`), over `"<timestamp>\n<secret>"`, both appended to the webhook URL.
public enum DingTalkSignature {
    /// The Base64 signature, before URL encoding.
    public static func sign(timestamp: EpochMillis, secret: String) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp)\n\(secret)".utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// `url` with `&timestamp=<ms>&sign=<URL-encoded signature>` appended (`?` when `url` has
    /// no query yet).
    public static func signedURL(_ url: String, timestamp: EpochMillis, secret: String) -> String {
        let separator = url.contains("?") ? "&" : "?"
        return url + separator + "timestamp=\(timestamp)&sign="
            + URLText.encode(sign(timestamp: timestamp, secret: secret))
    }
}
