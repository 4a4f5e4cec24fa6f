import XCTest

@testable import Delivery

final class RetryScheduleTests: XCTestCase {
    let schedule = RetrySchedule(base: .seconds(1), cap: .seconds(300), retryAfterCap: .seconds(3600))

    func testNominalDelaysDoubleFromOneSecondToFiveMinutes() {
        let delays = (1...12).map { schedule.delay(failures: $0, random: 0.5) }
        XCTAssertEqual(
            delays, [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000])
        XCTAssertEqual(schedule.delay(failures: 500, random: 0.5), 300_000)
    }

    func testJitterStaysWithinTwentyPercent() {
        XCTAssertEqual(schedule.delay(failures: 1, random: 0), 800)
        XCTAssertEqual(schedule.delay(failures: 2, random: 0), 1600)
        XCTAssertEqual(schedule.delay(failures: 2, random: 0.999_999), 2400)
        XCTAssertEqual(schedule.delay(failures: 3, random: 0.25), 3600)
        // Never beyond the cap, even with the highest jitter.
        XCTAssertEqual(schedule.delay(failures: 10, random: 0.999), 300_000)
        XCTAssertEqual(schedule.delay(failures: 9, random: 0), 204_800)
    }

    func testRetryAfterIsHonouredWhenLongerThanTheBackoff() {
        let now: Int64 = 1_000_000
        XCTAssertEqual(schedule.nextAttempt(now: now, failures: 1, retryAfterMs: 7000, random: 0.5), now + 7000)
        XCTAssertEqual(schedule.nextAttempt(now: now, failures: 4, retryAfterMs: 2000, random: 0.5), now + 8000)
        XCTAssertEqual(
            schedule.nextAttempt(now: now, failures: 1, retryAfterMs: 86_400_000, random: 0.5), now + 3_600_000)
    }

    func testRetryAfterHeaderForms() {
        let now: Int64 = 784_111_777_000 - 10_000  // 10 s before Sun, 06 Nov 1994 08:49:37 GMT
        XCTAssertEqual(RetrySchedule.retryAfter("7", now: now), 7000)
        XCTAssertEqual(RetrySchedule.retryAfter(" 120 ", now: now), 120_000)
        XCTAssertEqual(RetrySchedule.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: now), 10_000)
        XCTAssertNil(RetrySchedule.retryAfter("-3", now: now))
        XCTAssertNil(RetrySchedule.retryAfter("soon", now: now))
        XCTAssertNil(RetrySchedule.retryAfter(nil, now: now))
    }

    func testAnswerClassification() {
        let ticket = Array(#"{"ticket":"T-9","note":"x"}"#.utf8)
        XCTAssertEqual(HotlineAnswer(status: 200, retryAfterMs: nil, body: ticket), .accepted(ticket: "T-9"))
        XCTAssertEqual(HotlineAnswer(status: 204, retryAfterMs: nil, body: []), .accepted(ticket: nil))
        XCTAssertEqual(
            HotlineAnswer(status: 201, retryAfterMs: nil, body: Array("not json".utf8)), .accepted(ticket: nil))
        XCTAssertEqual(HotlineAnswer(status: 409, retryAfterMs: nil, body: ticket), .duplicate(ticket: "T-9"))
        XCTAssertEqual(HotlineAnswer(status: 408, retryAfterMs: nil, body: []), .retry(retryAfterMs: nil))
        XCTAssertEqual(HotlineAnswer(status: 429, retryAfterMs: 7000, body: []), .retry(retryAfterMs: 7000))
        XCTAssertEqual(HotlineAnswer(status: 500, retryAfterMs: nil, body: []), .retry(retryAfterMs: nil))
        XCTAssertEqual(HotlineAnswer(status: 503, retryAfterMs: 5000, body: []), .retry(retryAfterMs: 5000))
        for status in [400, 401, 403, 404, 410, 413, 422, 301] {
            XCTAssertEqual(HotlineAnswer(status: status, retryAfterMs: nil, body: []), .rejected, "\(status)")
        }
    }
}
