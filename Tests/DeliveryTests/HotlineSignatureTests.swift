import Crypto
import XCTest

@testable import Delivery

final class HotlineSignatureTests: XCTestCase {
    func testRFC4231Vector() {
        // RFC 4231 test case 2.
        let signature = HotlineSignature.sign(
            body: Array("what do ya want for nothing?".utf8), secret: Array("Jefe".utf8))
        XCTAssertEqual(signature, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testMatchesAnIndependentHMACOverTheExactBytes() {
        let body = Array(#"{"id":"INC-1","summary":"张桂兰 SOS"}"#.utf8)
        let secret: [UInt8] = Array(0..<48)
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        let hex = mac.map { String(format: "%02x", $0) }.joined()

        XCTAssertEqual(HotlineSignature.sign(body: body, secret: secret), "sha256=" + hex)
        XCTAssertNotEqual(HotlineSignature.sign(body: body + [0x20], secret: secret), "sha256=" + hex)
    }
}
