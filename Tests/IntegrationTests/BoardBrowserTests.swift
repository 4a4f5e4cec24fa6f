import AnxinCore
import AnxinTesting
import Foundation
import XCTest

/// The duty board in headless Chromium (Debian's chromium and chromium-driver) against the real
/// daemon, broker, hotline receiver and a recording webhook receiver for staff channels.
final class BoardBrowserTests: XCTestCase {
    /// A gateway whose SOS chain notifies the on-call group at once and a supervisor after 6 s.
    func harness() async throws -> GatewayHarness {
        let rules = try StaffChannelsTests.rules().replacingOccurrences(of: "after: 4s", with: "after: 6s")
        let h = try await GatewayHarness(rules: rules)
        try h.addWardAndSupervisorHooks()
        return h
    }

    func openBoard(_ h: GatewayHarness, _ fragment: String = "") async throws -> WebDriver {
        let wd = try await WebDriver.start(WebDriver.Options(width: 1280, height: 900))
        try await wd.navigate(to: "http://127.0.0.1:\(h.httpPort)/board/\(fragment)")
        return wd
    }

    func testSOSShowsWithinASecondAndAcknowledgingOnThePageStopsTheSupervisorStep() async throws {
        let h = try await harness()
        defer { Task { await h.shutdown() } }
        try await h.start()
        let wd = try await openBoard(h)
        defer { Task { await wd.quit() } }
        try await wd.waitFor("[data-test=stream-status][data-state=open]", timeout: .seconds(10))

        // Publish an SOS; the card must be on the page within 1 s.
        let t0 = Date()
        try h.publish("imede-sos")
        let card = try await wd.waitFor("[data-test=alert-card]", timeout: .seconds(5), poll: .milliseconds(10))
        let elapsed = Date().timeIntervalSince(t0)
        print("SOS published -> card on the board: \(Int(elapsed * 1000)) ms")
        XCTAssertLessThan(elapsed, 1.0, "the SOS took \(elapsed) s to reach the board")
        let alertID = try await wd.attribute(card, "data-alert-id") ?? ""
        XCTAssertFalse(alertID.isEmpty)
        let cardText = try await wd.text(card)
        XCTAssertTrue(cardText.contains("张桂兰"), cardText)

        // Acknowledge it on the page, with a name and a note. The card re-renders as the alert
        // changes (the on-call notice is recorded on it), so a stale element is looked up again.
        try await wd.retryingStale {
            try await wd.click(try await wd.findElement("[data-alert-id='\(alertID)'] [data-test=ack]"))
        }
        try await wd.retryingStale {
            if let by = try await wd.findElements("[data-test=by]").first {
                try await wd.clear(by)
                try await wd.sendKeys(by, "王芳")
            }
            let note = try await wd.waitFor("[data-test=note]")
            try await wd.clear(note)
            try await wd.sendKeys(note, "已电话联系，护工前往")
            try await wd.click(try await wd.findElement("[data-test=confirm]"))
        }
        let acked = try await h.eventually {
            let detail = try await h.getJSON("/api/v1/alerts/\(alertID)")
            return (detail["alert"] as? [String: Any])?["state"] as? String == "acknowledged"
        }
        XCTAssertTrue(acked)
        let detail = try await h.getJSON("/api/v1/alerts/\(alertID)")
        XCTAssertEqual((detail["alert"] as? [String: Any])?["acknowledged_by"] as? String, "王芳")

        // A second SOS, not acknowledged, is the control: its supervisor step fires, the first's never.
        try h.publish("setracker-al")
        let sup = try await h.hooks.waitFor(count: 1, path: "/sup", timeout: .seconds(15))
        try await Task.sleep(for: .seconds(2))
        XCTAssertEqual(h.hooks.requests(path: "/sup").count, 1)
        let supAlert =
            (try? JSONSerialization.jsonObject(with: Data(sup[0].body)) as? [String: Any])?["alert_id"] as? String
        XCTAssertNotEqual(supAlert, alertID, "the acknowledged SOS must not reach the supervisor")
        XCTAssertGreaterThanOrEqual(
            Date().timeIntervalSince(t0), 6, "the supervisor step waited for its delay")
    }

    func testResidentPageShowsBedCodeAndLatestVitals() async throws {
        let h = try await GatewayHarness()
        defer { Task { await h.shutdown() } }
        try await h.start()
        try h.publish("imede-vitals")
        let stored = try await h.eventually {
            let r = try await h.getJSON("/api/v1/residents/R-0001")
            return (r["vitals"] as? [String: Any])?["heart_rate"] != nil
        }
        XCTAssertTrue(stored)
        let wd = try await openBoard(h, "#/resident/R-0001")
        defer { Task { await wd.quit() } }
        let bed = try await wd.waitFor("[data-test=bed-code]", timeout: .seconds(10))
        let bedText = try await wd.text(bed)
        XCTAssertEqual(bedText, "JN-KY-03-0302-1")
        let hr = try await wd.waitFor("[data-test=vital-heart_rate] [data-test=vital-value]")
        let hrText = try await wd.text(hr)
        XCTAssertTrue(hrText.contains("78"), hrText)
        let sys = try await wd.waitFor("[data-test=vital-systolic] [data-test=vital-value]")
        let sysText = try await wd.text(sys)
        XCTAssertTrue(sysText.contains("128"), sysText)
        let page = try await wd.text(try await wd.findElement("body"))
        XCTAssertTrue(page.contains("张桂兰"), page)
        XCTAssertTrue(page.contains("3号楼302室"), page)
    }
}
