import AnxinCore
import XCTest

@testable import Profiles

/// Sanity under repetition: one reused output, every fixture 10,000 times, same result each time.
final class DecodeLoopTests: XCTestCase {
    func testEachFixtureDecodesTenThousandTimesAlike() {
        let set = Fixtures.shipped
        var output = DecodeOutput()
        for name in Fixtures.messageFiles {
            let m = Fixtures.message(name)
            let first = set.decode(topic: m.topic, payload: m.payload, receivedAt: Fixtures.receivedAt, into: &output)
            let expected = output.observations
            let expectedSentinels = output.sentinels
            var mismatches = 0
            m.payload.withUnsafeBytes { payload in
                for _ in 0..<10_000 {
                    let failure = set.decode(
                        topic: m.topic, payload: payload, receivedAt: Fixtures.receivedAt, into: &output)
                    if failure != first || output.observations != expected || output.sentinels != expectedSentinels {
                        mismatches += 1
                    }
                }
            }
            XCTAssertEqual(mismatches, 0, name)
        }
    }
}
