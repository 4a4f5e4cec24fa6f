import Crypto
import Foundation

/// Session ids and API tokens: 32 random bytes from the system's CSPRNG, written base64url.
/// Only their SHA-256 is stored, so a copy of the database signs nobody in.
enum StaffSecret {
    /// Prefix of API tokens, so a leaked one is recognisable in a log or a scanner.
    static let tokenPrefix = "anx_"

    /// A new session id (43 characters).
    static func sessionID() -> String { base64URL(randomBytes(32)) }

    /// A new API token (`anx_` + 43 characters).
    static func token() -> String { tokenPrefix + base64URL(randomBytes(32)) }

    /// SHA-256 of the secret's UTF-8 text: the key it is stored and looked up under.
    static func hash(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Data(secret.utf8))) }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
