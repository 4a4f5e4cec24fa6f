import AnxinTesting
import AsyncHTTPClient
import XCTest

final class ScratchTests: XCTestCase {
    func testDelayedReply() async throws {
        let hotline = HotlineReceiver(defaultReply: .accepted(delay: .milliseconds(300)))
        _ = try await hotline.start()
        let start = ContinuousClock.now
        var req = HTTPClientRequest(url: hotline.url)
        req.method = .POST
        req.body = .bytes(Array("x".utf8))
        let r = try await HTTPClient.shared.execute(req, timeout: .seconds(3))
        print("status", r.status.code, ContinuousClock.now - start)
        await hotline.stop()
    }
}
