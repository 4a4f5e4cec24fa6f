import AnxinCore
import AnxinTesting
import Foundation
import XCTest

/// The system clock steps forward and back under the real binary (libfaketime moves the wall clock
/// the gateway sees; its monotonic clock runs on): no false silence, readings still committed at once,
/// an escalation step neither fired early nor held back. The dispatcher's retries after a step back
/// are tested in DeliveryTests (FaultClockStepDeliveryTests): libfaketime also moves the expiry of
/// timers armed after a step back, which a real `date -s` does not.
final class FaultClockTests: XCTestCase {
    static let library = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
    ].first { FileManager.default.fileExists(atPath: $0) }

    func testClockStepsForwardAndBackKeepTimersHonest() async throws {
        let library = try XCTUnwrap(Self.library, "libfaketime is installed by Scripts/deps.sh (package faketime)")
        let h = try await GatewayHarness(rules: try StaffChannelsTests.rules())
        try h.addWardAndSupervisorHooks()
        let offsetFile = h.dir.appendingPathComponent("faketime")
        func setOffset(_ seconds: Int) throws {
            try "\(seconds >= 0 ? "+" : "")\(seconds)\n".write(to: offsetFile, atomically: true, encoding: .utf8)
        }
        try setOffset(0)
        try await h.start(environment: [
            "LD_PRELOAD": library, "FAKETIME_TIMESTAMP_FILE": offsetFile.path, "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "FAKETIME_NO_CACHE": "1",
        ])
        // Devices heard, then the clock jumps an hour ahead.
        for name in ["imede-vitals", "setracker-bphrt", "iw-ap49"] { try h.publish(name) }
        let heard = try await h.eventually { (try await h.metric("anxin_readings_stored_total") ?? 0) >= 3 }
        XCTAssertTrue(heard)
        try setOffset(3600)
        let noticed = try await h.eventually(10) { (try await h.metric("anxin_clock_steps_total") ?? 0) >= 1 }
        XCTAssertTrue(noticed, "the pipeline notices the step; log:\n\(h.gateway.log.suffix(1500))")
        try await Task.sleep(for: .seconds(3))
        let open = try await h.alerts(state: "open")
        XCTAssertEqual(open.count, 0, "an hour that never passed is no silence: \(open.map { $0["rule"] ?? "" })")
        let storedBefore = try await h.metric("anxin_readings_stored_total") ?? 0
        let batchAt = Date()
        try h.publish("imede-batch")
        let stored = try await h.eventually(3) {
            (try await h.metric("anxin_readings_stored_total") ?? 0) > storedBefore
        }
        let batchLatency = Date().timeIntervalSince(batchAt)
        XCTAssertTrue(stored, "readings still committed within the batch interval after the step")

        // An SOS reaches the hotline at once; then the clock steps back two hours.
        let sosAt = Date()
        try h.publish("imede-sos")
        _ = try await h.hotline.waitFor(count: 1, timeout: .seconds(10))
        let hotlineAfter = Date().timeIntervalSince(sosAt)
        _ = try await h.hooks.waitFor(count: 1, path: "/ward", timeout: .seconds(10))
        try setOffset(-3600)
        // The supervisor step (4 s after opening) keeps its time: not two hours later.
        let sup = try await h.hooks.waitFor(count: 1, path: "/sup", timeout: .seconds(20))
        let supAfter = Date().timeIntervalSince(sosAt)
        XCTAssertEqual(sup.count, 1)
        XCTAssertGreaterThanOrEqual(supAfter, 3.5, "not fired early")
        XCTAssertLessThan(supAfter, 8, "not held back by the step")
        let steps = try await h.metric("anxin_clock_steps_total") ?? 0
        XCTAssertGreaterThanOrEqual(steps, 2)
        print(
            "FAULT-FIGURE clock-steps forward_s=3600 back_s=7200 false_silence_alerts=\(open.count) "
                + "batch_commit_after_step_s=\(String(format: "%.2f", batchLatency)) "
                + "sos_to_hotline_s=\(String(format: "%.2f", hotlineAfter)) "
                + "supervisor_step_after_s=\(String(format: "%.1f", supAfter)) (due 4)")
        await h.shutdown()
    }
}
