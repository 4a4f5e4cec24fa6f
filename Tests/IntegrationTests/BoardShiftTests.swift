import AnxinCore
import AnxinTesting
import Foundation
import XCTest

/// A simulated night shift on the real daemon, shown on the wall-screen board in headless
/// Chromium. Checks the board lists the shift's alerts critical first; with
/// `ANXIN_BOARD_SCREENSHOT=path` set (Scripts/board-screenshot.sh) it also saves the picture
/// the README shows.
final class BoardShiftTests: XCTestCase {
    func testSimulatedShiftOnTheWallBoard() async throws {
        let regFile = FileManager.default.temporaryDirectory.appendingPathComponent("shift-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: regFile) }
        let w = try runAnxin(["simulate", "--residents", "24", "--write-registry", regFile.path])
        XCTAssertEqual(w.status, 0, w.err)
        let h = try await GatewayHarness(registry: try String(contentsOf: regFile, encoding: .utf8))
        defer { Task { await h.shutdown() } }
        try await h.start()
        // CI plays 8 s. The screenshot script reports each device once a minute and injects the
        // scenarios after every resident reported once, so the board shows them before the
        // residents' next routine readings clear the vital-sign alerts.
        let env = ProcessInfo.processInfo.environment
        let sim = try runAnxin([
            "simulate", "--port", "\(h.broker.port)", "--residents", "24",
            "--interval", env["ANXIN_SHIFT_INTERVAL"] ?? "2", "--duration", env["ANXIN_SHIFT_SECONDS"] ?? "8",
            "--scenarios", "sos,fall,bp_crisis,spo2_low,wander,tachycardia",
            "--scenario-delay", env["ANXIN_SHIFT_DELAY"] ?? "2",
        ])
        XCTAssertEqual(sim.status, 0, sim.err)
        // The SOS and the fall stay until staff resolve them (the crisis clears with the next normal reading).
        let opened = try await h.eventually(10) { try await h.alerts(state: "open").count >= 2 }
        XCTAssertTrue(opened)

        // Staff have picked up one SOS already.
        let open = try await h.alerts(state: "open")
        if let sos = open.first(where: { $0["rule"] as? String == "sos" })?["id"] as? String {
            let (s, _) = try await HTTP.post(
                "http://127.0.0.1:\(h.httpPort)/api/v1/alerts/\(sos)/ack", json: #"{"by": "王秀英", "note": "已联系家属"}"#)
            XCTAssertEqual(s, 200)
        }

        let wd = try await WebDriver.start(WebDriver.Options(width: 1920, height: 1080))
        defer { Task { await wd.quit() } }
        try await wd.navigate(to: "http://127.0.0.1:\(h.httpPort)/board/?wall=1")
        try await wd.waitFor("[data-test=stream-status][data-state=open]", timeout: .seconds(10))
        try await wd.waitFor("[data-test=alert-card]", timeout: .seconds(10))
        try await Task.sleep(for: .milliseconds(500))
        let cards = try await wd.findElements("[data-test=alert-card]")
        let unresolved = try await h.alerts(state: "open").count + (try await h.alerts(state: "acknowledged").count)
        XCTAssertEqual(cards.count, unresolved, "one card per unresolved alert")
        // Critical first.
        let first = try await wd.text(cards[0])
        XCTAssertTrue(["SOS", "跌倒", "危急", "危急"].contains { first.contains($0) }, first)
        let png = try await wd.screenshotPNG()
        XCTAssertGreaterThan(png.count, 10_000)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        if let path = ProcessInfo.processInfo.environment["ANXIN_BOARD_SCREENSHOT"], !path.isEmpty {
            try png.write(to: URL(fileURLWithPath: path))
        }
    }
}
