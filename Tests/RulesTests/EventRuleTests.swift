import AnxinCore
import XCTest

@testable import Rules

final class EventRuleTests: XCTestCase {
    func testSosOpensCriticalToHotlineUpdatesUntilResolvedThenOpensAnew() {
        let h = Harness()
        let first = h.event(.sos, at: t0)
        XCTAssertEqual(
            first,
            [
                Decision(
                    action: .open, alertID: "A1", rule: "sos", severity: .critical, residentID: "R-0001",
                    device: "watch-1",
                    trigger: .event(.sos), occurredAt: t0, toHotline: true)
            ])
        let second = h.event(.sos, at: t0 + minute)
        XCTAssertEqual(
            second,
            [
                Decision(
                    action: .update, alertID: "A1", rule: "sos", severity: .critical, residentID: "R-0001",
                    device: "watch-1",
                    trigger: .event(.sos), occurredAt: t0 + minute, toHotline: false)
            ])
        XCTAssertEqual(
            h.series(.heartRate, 80, from: t0 + 2 * minute, to: t0 + 10 * minute), [], "only staff resolve an SOS")
        XCTAssertTrue(h.engine.resolve(alertID: "A1", at: t0 + 11 * minute))
        let third = h.event(.sos, at: t0 + 12 * minute)
        XCTAssertEqual(third.map(\.summary), ["open sos critical hotline"])
        XCTAssertEqual(third.map(\.alertID), ["A2"])
    }

    func testFallOpensCriticalToHotline() {
        let h = Harness()
        XCTAssertEqual(h.event(.fall, at: t0).map(\.summary), ["open fall critical hotline"])
        XCTAssertEqual(
            h.event(.sos, at: t0).map(\.summary), ["open sos critical hotline"], "sos and fall are separate rules")
    }

    func testSosFromUnboundDeviceStillGoesToTheHotline() {
        let h = Harness(context: .unbound)
        let d = h.event(.sos, at: t0, device: "865067021234567")
        XCTAssertEqual(d.map(\.summary), ["open sos critical hotline"])
        XCTAssertNil(d.first?.residentID)
        XCTAssertEqual(d.first?.device, "865067021234567")
        // Another unbound device has its own slot.
        XCTAssertEqual(h.event(.sos, at: t0, device: "other").map(\.action), [.open])
    }

    func testNotWornClearsOnAVitalSignOnly() {
        let h = Harness()
        XCTAssertEqual(h.event(.notWorn, at: t0).map(\.summary), ["open not_worn info"])
        XCTAssertEqual(h.reading(.battery, 80, at: t0 + minute), [])
        XCTAssertEqual(h.reading(.heartRate, 72, at: t0 + 2 * minute).map(\.summary), ["resolve not_worn info"])
    }

    func testPowerOffClearsOnDataAgain() {
        let h = Harness()
        XCTAssertEqual(h.event(.powerOff, at: t0).map(\.summary), ["open power_off warning"])
        XCTAssertEqual(h.event(.powerOff, at: t0 + minute).map(\.action), [.update])
        XCTAssertEqual(h.reading(.steps, 10, at: t0 + 5 * minute).map(\.summary), ["resolve power_off warning"])
    }

    /// Clearing looks only at subjects known to hold such an alert: that knowledge follows restores,
    /// rule reloads, staff resolutions and new alerts.
    func testSelfClearingFollowsRestoreReloadAndResolve() {
        let a = Harness()
        a.event(.notWorn, at: t0)
        let b = Harness()
        b.engine.restoreState(a.engine.exportState())
        XCTAssertEqual(b.reading(.heartRate, 72, at: t0 + minute).map(\.summary), ["resolve not_worn info"])
        XCTAssertEqual(b.event(.powerOff, at: t0 + 2 * minute).map(\.summary), ["open power_off warning"])
        b.engine.replace(rules: .shipped)
        XCTAssertEqual(b.reading(.steps, 5, at: t0 + 3 * minute).map(\.summary), ["resolve power_off warning"])
        let opened = b.event(.notWorn, at: t0 + 4 * minute)
        XCTAssertTrue(b.engine.resolve(alertID: opened[0].alertID, at: t0 + 5 * minute))
        XCTAssertEqual(b.reading(.heartRate, 72, at: t0 + 6 * minute), [], "resolved by staff: nothing left to clear")
        XCTAssertEqual(b.event(.notWorn, at: t0 + 7 * minute).map(\.summary), ["open not_worn info"])
        XCTAssertEqual(b.reading(.heartRate, 72, at: t0 + 8 * minute).map(\.summary), ["resolve not_worn info"])
    }

    func testPowerOffIsPerDevice() {
        let h = Harness()
        h.event(.powerOff, at: t0, device: "watch-1")
        XCTAssertEqual(
            h.reading(.heartRate, 70, at: t0 + minute, device: "bed-1"), [], "another device of the resident")
        XCTAssertEqual(h.reading(.heartRate, 70, at: t0 + minute, device: "watch-1").map(\.action), [.resolve])
    }

    func testLowBatteryHysteresis() {
        let h = Harness()
        XCTAssertEqual(h.reading(.battery, 16, at: t0), [])
        let low = h.reading(.battery, 15, at: t0 + minute)
        XCTAssertEqual(low.map(\.summary), ["open low_battery info"])
        XCTAssertEqual(low.first?.trigger, .reading(.battery, 15))
        XCTAssertEqual(h.reading(.battery, 18, at: t0 + 2 * minute), [])
        XCTAssertEqual(h.reading(.battery, 19, at: t0 + 3 * minute), [])
        XCTAssertEqual(h.reading(.battery, 20, at: t0 + 4 * minute).map(\.summary), ["resolve low_battery info"])
    }

    func testLowBatteryEventOpensAtOnce() {
        let h = Harness()
        let d = h.event(.lowBattery, at: t0)
        XCTAssertEqual(d.map(\.summary), ["open low_battery info"])
        XCTAssertEqual(d.first?.trigger, .event(.lowBattery))
        XCTAssertEqual(h.reading(.battery, 25, at: t0 + minute).map(\.summary), ["resolve low_battery info"])
    }
}
