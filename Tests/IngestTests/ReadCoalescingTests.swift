import XCTest

@testable import Ingest

/// When the loop thread lets messages gather before its next read: only while they stream in one at a
/// time above 2,000 a second, never for long bursts, and never once the stream has stopped (an SOS in a
/// quiet hour is read at once). Time is the caller's, so no test sleeps.
final class ReadCoalescingTests: XCTestCase {
    private let ms: UInt64 = 1_000_000

    func testSingleMessagesAtTwentyThousandASecondGatherSixteenAtATime() {
        var c = ReadCoalescing()
        var now: UInt64 = 5_000 * ms
        var waits: [UInt64] = []
        // 200 ms of one message every 50 µs.
        for _ in 0..<4_000 {
            waits.append(c.afterBurst(messages: 1, now: now))
            now += 50_000
        }
        XCTAssertEqual(waits.prefix(1_999).max(), 0, "nothing waits before a whole window has measured the rate")
        XCTAssertEqual(c.rate, 20_000, accuracy: 100)
        let last = waits.last ?? 0
        XCTAssertEqual(Double(last), 16.0 / 20_000 * 1e9, accuracy: 10_000, "about the time 16 messages take")
        XCTAssertLessThanOrEqual(last, ReadCoalescing.maxWaitNanos)

        // A long burst is read as it is, with no wait after it.
        XCTAssertEqual(c.afterBurst(messages: 32, now: now), 0)
        // A burst of nothing (a keepalive, an acknowledgement of ours) never waits.
        XCTAssertEqual(c.afterBurst(messages: 0, now: now), 0)
    }

    func testSlowTrafficAndALoneMessageAfterSilenceAreReadAtOnce() {
        var c = ReadCoalescing()
        var now: UInt64 = 0
        // A district's wristbands at 1,500 messages a second: below the rate, nothing waits.
        for _ in 0..<600 {
            XCTAssertEqual(c.afterBurst(messages: 1, now: now), 0)
            now += 666_667
        }
        // Fast, then silence: the first message after it measures the rate again and waits for nothing.
        for _ in 0..<10_000 {
            _ = c.afterBurst(messages: 1, now: now)
            now += 20_000
        }
        XCTAssertGreaterThan(c.afterBurst(messages: 1, now: now), 0, "still streaming")
        now += 600_000 * ms
        XCTAssertEqual(c.afterBurst(messages: 1, now: now), 0, "an SOS after ten quiet minutes")
        XCTAssertLessThan(c.rate, 1)
    }

    func testTheWaitIsCappedAtAMillisecond() {
        var c = ReadCoalescing()
        var now: UInt64 = 0
        // 2,500 a second, one at a time: 16 would take 6.4 ms; the wait stops at 1 ms.
        for _ in 0..<500 {
            _ = c.afterBurst(messages: 1, now: now)
            now += 400_000
        }
        XCTAssertEqual(c.afterBurst(messages: 1, now: now), ReadCoalescing.maxWaitNanos)
    }
}
