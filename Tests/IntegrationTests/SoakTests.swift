import AnxinCore
import AnxinTesting
import Foundation
import XCTest

/// A steady load with emergencies injected: every emergency reaches the hotline once, every acknowledged
/// message is stored, the gateway's memory and open files stay flat.
///
/// CI runs it for `ANXIN_SOAK_SECONDS` (default 40) at `ANXIN_SOAK_RATE` msg/s (default 1,000);
/// `Scripts/soak.sh` runs it for an hour against a release build at half the rate a first probe reached
/// (`ANXIN_SOAK_RATE=probe`) and records the figures in SOAK.md.
final class SoakTests: XCTestCase {
    struct Sample {
        var at: Double
        var rssKB: Int
        var fds: Int
        var stored: Double
    }

    static func env(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

    static func rssKB(pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
        }
        return 0
    }

    static func openFiles(pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    func testSoakAtSteadyLoadWithEmergencies() async throws {
        let seconds = Double(Self.env("ANXIN_SOAK_SECONDS") ?? "") ?? 40
        let devices = Int(Self.env("ANXIN_SOAK_DEVICES") ?? "") ?? 2000
        let rateSetting = Self.env("ANXIN_SOAK_RATE") ?? "1000"
        let h = try await GatewayHarness()
        try await h.start()
        let pid = h.gateway.pid
        let base = SystemWallClock().now() / 1000 - 10 * 86_400

        var rate = Int(rateSetting) ?? 1000
        var probed: Double?
        if rateSetting == "probe" {
            // As fast as the publisher, broker and gateway go together, for 20 s.
            let probe = LoadPublisher(
                port: h.broker.port, devices: devices, ratePerSecond: 200_000, devicePrefix: "8698",
                firstTimestamp: base - 86_400, window: 20_000, recording: false)
            let before = try await h.metric("anxin_readings_stored_total") ?? 0
            let t = Date()
            probe.start()
            try await Task.sleep(for: .seconds(20))
            let after = try await h.metric("anxin_readings_stored_total") ?? 0
            let took = Date().timeIntervalSince(t)
            XCTAssertTrue(probe.stop(), "probe drained")
            probed = (after - before) / took
            rate = max(100, Int(probed! / 2))
            _ = try await h.eventually(120) {
                (try await h.metric("anxin_readings_stored_total") ?? 0) - before >= Double(probe.acknowledgedCount)
            }
        }
        let storedAtStart = try await h.metric("anxin_readings_stored_total") ?? 0
        let load = LoadPublisher(
            port: h.broker.port, devices: devices, ratePerSecond: rate, devicePrefix: "8699", firstTimestamp: base,
            window: 10_000, recording: false)
        let started = Date()
        load.start()

        // Emergencies, one every 15 s, rotating over three residents; each is resolved once it has arrived.
        let scenarios = ["imede-sos", "setracker-al", "iw-ap10-sos", "imede-fall", "setracker-fall"]
        var injected = 0
        var latencies: [Double] = []
        var samples: [Sample] = []
        var nextEmergency = 5.0
        var nextSample = 0.0
        func incidents() -> Int { h.hotline.requests.filter { !$0.path.contains("/updates") }.count }
        while Date().timeIntervalSince(started) < seconds {
            let now = Date().timeIntervalSince(started)
            if now >= nextSample {
                let stored = try await h.metric("anxin_readings_stored_total") ?? 0
                samples.append(
                    Sample(
                        at: now, rssKB: Self.rssKB(pid: pid), fds: Self.openFiles(pid: pid),
                        stored: stored - storedAtStart))
                nextSample += max(5, seconds / 120)
            }
            if now >= nextEmergency {
                nextEmergency += 15
                let before = incidents()
                let t = Date()
                try h.publish(scenarios[injected % scenarios.count])
                injected += 1
                let arrived = try await h.eventually(10) { incidents() > before }
                if arrived { latencies.append(Date().timeIntervalSince(t)) }
                for alert in try await h.alerts(state: "open") {
                    guard let id = alert["id"] as? String else { continue }
                    _ = try await HTTP.post(
                        "http://127.0.0.1:\(h.httpPort)/api/v1/alerts/\(id)/resolve", json: #"{"by":"soak"}"#)
                }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        XCTAssertTrue(load.stop(), "the load drained: \(load.lastError ?? "")")
        let elapsed = Date().timeIntervalSince(started)
        let acked = load.acknowledgedCount
        let caughtUp = try await h.eventually(180) {
            (try await h.metric("anxin_readings_stored_total") ?? 0) - storedAtStart >= Double(acked)
        }
        let stored = (try await h.metric("anxin_readings_stored_total") ?? 0) - storedAtStart
        XCTAssertTrue(caughtUp, "every acknowledged message stored: \(Int(stored)) of \(acked)")
        if !caughtUp {
            print("gateway running: \(h.gateway.isRunning)")
            print(
                try await h.metrics().split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.contains("bucket") }
                    .joined(separator: "\n"))
            print(h.gateway.log.suffix(3000))
        }
        let keys = h.hotline.requests.filter { !$0.path.contains("/updates") }.compactMap {
            $0.header("Idempotency-Key")
        }
        XCTAssertEqual(latencies.count, injected, "every emergency reached the hotline")
        XCTAssertEqual(Set(keys).count, injected, "one incident per emergency")

        // Flat: after the first quarter (warm-up), memory and open files stay within a band.
        let settled = samples.filter { $0.at >= elapsed / 4 }
        let firstHalf = settled.filter { $0.at < elapsed * 5 / 8 }
        let secondHalf = settled.filter { $0.at >= elapsed * 5 / 8 }
        let rssFirst = firstHalf.map(\.rssKB).max() ?? 0
        let rssSecond = secondHalf.map(\.rssKB).max() ?? 0
        let fds = settled.map(\.fds)
        XCTAssertGreaterThan(samples.count, 3)
        XCTAssertLessThanOrEqual(
            rssSecond, rssFirst + rssFirst / 4 + 16_384, "memory flat: \(rssFirst) kB then \(rssSecond) kB")
        XCTAssertLessThanOrEqual((fds.max() ?? 0) - (fds.min() ?? 0), 8, "open files flat: \(fds)")
        for s in samples {
            print(
                "SOAK-SAMPLE t_s=\(Int(s.at)) rss_mb=\(String(format: "%.1f", Double(s.rssKB) / 1024)) fds=\(s.fds) "
                    + "stored=\(Int(s.stored))")
        }
        print(
            "SOAK-FIGURE seconds=\(Int(elapsed)) rate=\(rate)/s\(probed.map { String(format: " probed_max=%.0f/s", $0) } ?? "") "
                + "devices=\(devices) acknowledged=\(acked) stored=\(Int(stored)) lost=\(max(0, acked - Int(stored))) "
                + "emergencies=\(injected) delivered=\(latencies.count) "
                + "hotline_p50_s=\(String(format: "%.3f", Self.percentile(latencies, 0.5))) "
                + "hotline_max_s=\(String(format: "%.3f", latencies.max() ?? 0)) "
                + "rss_mb_settled_first=\(rssFirst / 1024) rss_mb_settled_last=\(rssSecond / 1024) "
                + "fds_min=\(fds.min() ?? 0) fds_max=\(fds.max() ?? 0)")
        await h.shutdown()
    }
}
