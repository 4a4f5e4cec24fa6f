import AnxinCore
import XCTest

@testable import Rules

final class EscalationTests: XCTestCase {
    /// Opens heart_rate_high at t0 + 2 min (wall clock = receive time).
    func openHeartRateAlert(_ h: Harness) -> Decision {
        h.tick(t0)
        let d = h.series(.heartRate, 150, from: t0, to: t0 + 2 * minute)
        XCTAssertEqual(d.count, 1)
        return d[0]
    }

    func testUnacknowledgedEscalatesOnceAfterFiveMinutes() {
        let h = Harness()
        let open = openHeartRateAlert(h)
        XCTAssertEqual(h.tick(t0 + 7 * minute - 1), [])
        let esc = h.tick(t0 + 7 * minute)
        XCTAssertEqual(
            esc,
            [
                Decision(
                    action: .escalate, alertID: open.alertID, rule: "heart_rate_high", severity: .urgent,
                    residentID: "R-0001",
                    device: "watch-1", trigger: .reading(.heartRate, 150), occurredAt: t0 + 2 * minute, toHotline: true)
            ])
        XCTAssertEqual(h.tick(t0 + 8 * minute), [])
        XCTAssertEqual(h.tick(t0 + 60 * minute).filter { $0.action == .escalate }, [])
    }

    func testAcknowledgedBeforeDoesNotEscalate() {
        let h = Harness()
        let open = openHeartRateAlert(h)
        XCTAssertTrue(h.engine.acknowledge(alertID: open.alertID, at: t0 + 4 * minute))
        XCTAssertEqual(h.tick(t0 + 7 * minute), [])
        XCTAssertEqual(h.tick(t0 + 20 * minute), [])
    }

    func testAcknowledgeAndResolveUnknownOrResolved() {
        let h = Harness()
        XCTAssertFalse(h.engine.acknowledge(alertID: "nope", at: t0))
        let open = openHeartRateAlert(h)
        XCTAssertTrue(h.engine.resolve(alertID: open.alertID, at: t0 + 3 * minute))
        XCTAssertFalse(h.engine.acknowledge(alertID: open.alertID, at: t0 + 4 * minute))
        XCTAssertFalse(h.engine.resolve(alertID: open.alertID, at: t0 + 4 * minute))
        XCTAssertEqual(h.tick(t0 + 10 * minute), [], "a resolved alert never escalates")
    }

    func testStaffResolveDoesNotReopenTheSameRunButANewRunOpens() {
        let h = Harness()
        let open = openHeartRateAlert(h)
        XCTAssertTrue(h.engine.resolve(alertID: open.alertID, at: t0 + 150 * second))
        XCTAssertEqual(h.series(.heartRate, 150, from: t0 + 130 * second, to: t0 + 5 * minute), [])
        h.reading(.heartRate, 125, at: t0 + 310 * second)
        let again = h.series(.heartRate, 150, from: t0 + 320 * second, to: t0 + 440 * second)
        XCTAssertEqual(again.map(\.summary), ["open heart_rate_high urgent"])
        XCTAssertEqual(again.map(\.alertID), ["A2"])
    }
}
