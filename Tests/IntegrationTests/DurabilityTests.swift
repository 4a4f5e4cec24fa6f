import AnxinCore
import AnxinTesting
import Foundation
import XCTest

final class DurabilityTests: XCTestCase {
    func testHotlineOutageAndKill9LoseNothingAndDuplicateNothing() async throws {
        let h = try await GatewayHarness(hotlineDefault: .status(503))
        try await h.start()
        for file in ["imede-sos", "setracker-al", "iw-ap10-sos"] { try h.publish(file) }
        // Each incident is tried and refused at least once.
        _ = try await h.hotline.waitFor(count: 3, timeout: .seconds(10))
        h.gateway.kill9()
        h.hotline.setDefaultReply(.accepted(ticket: "T-9"))
        try h.gateway.start()
        let healthy = await h.gateway.waitHealthy(timeout: 60)
        XCTAssertTrue(healthy)
        let allArrived = try await h.eventually(30) {
            Set(
                h.hotline.requests.filter { (200..<300).contains($0.answeredStatus) }.compactMap {
                    $0.header("Idempotency-Key")
                }
            ).count == 3
        }
        XCTAssertTrue(allArrived, "every incident arrives after the restart")
        let accepted = h.hotline.requests.filter { (200..<300).contains($0.answeredStatus) }
        let ids = accepted.compactMap { $0.header("Idempotency-Key") }
        XCTAssertEqual(ids.count, 3, "each id accepted exactly once: \(ids)")
        XCTAssertEqual(Set(ids).count, 3)
        // Every attempt for one id carried the same bytes.
        for id in ids {
            let bodies = Set(h.hotline.requests.filter { $0.header("Idempotency-Key") == id }.map(\.body))
            XCTAssertEqual(bodies.count, 1, "retries of \(id) are byte-identical")
        }
        await h.shutdown()
    }

    /// A rejected incident (400) stays for the operator; `anxin outbox requeue` sends it again.
    func testRejectedIncidentIsKeptAndRequeuedByTheOperator() async throws {
        let h = try await GatewayHarness(hotlineDefault: .status(400))
        try await h.start()
        try h.publish("imede-sos")
        _ = try await h.hotline.waitFor(count: 1)
        let rejected = try await h.eventually {
            (try await h.metric("anxin_deliveries_total{outcome=\"rejected\"}") ?? 0) == 1
        }
        XCTAssertTrue(rejected)
        let list = try runAnxin(["outbox", "list", "--config", h.configPath])
        XCTAssertEqual(list.status, 0, list.err)
        let line = list.out.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(line.contains("\trejected\t") && line.contains("status=400"), list.out)
        let id = String(line.split(separator: "\t")[0])
        h.hotline.setDefaultReply(.accepted(ticket: "T-7"))
        let requeue = try runAnxin(["outbox", "requeue", "--config", h.configPath, id])
        XCTAssertEqual(requeue.status, 0, requeue.err)
        let resent = try await h.eventually(40) {
            h.hotline.requests.contains { $0.answeredStatus == 201 || $0.answeredStatus == 200 }
        }
        XCTAssertTrue(resent, "the requeued incident is sent again")
        XCTAssertEqual(h.hotline.requests.count, 2, "sent once, rejected, requeued, sent once more")
        await h.shutdown()
    }

    /// Rule state (a heart-rate run half way to its 2 minutes) survives a restart.
    func testRuleStateSurvivesARestart() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        let end = SystemWallClock().now() / 1000
        func batch(_ from: Int64, _ to: Int64) -> String {
            let items = stride(from: from, through: to, by: 20).map {
                "{\"timestamp\":\(end - 200 + $0),\"heartRate\":150}"
            }
            return "{\"IMEI\":\"865067021234567\",\"data\":[\(items.joined(separator: ","))]}"
        }
        try h.publish(topic: "iMEDE_watch/AP55", batch(0, 80))
        let taken = try await h.eventually { (try await h.metric("anxin_readings_stored_total") ?? 0) >= 5 }
        XCTAssertTrue(taken)
        let early = try await h.alerts(state: "open")
        XCTAssertEqual(early.count, 0, "80 s is not yet 2 minutes")
        XCTAssertEqual(h.gateway.stop(), 0)
        let db = h.dir.appendingPathComponent("anxin.db").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: db))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: db + "-wal"),
            "a clean stop closes the connections: the WAL is checkpointed into the database and removed")
        try h.gateway.start()
        let healthy = await h.gateway.waitHealthy(timeout: 60)
        XCTAssertTrue(healthy)
        // Read ahead, on its own thread while the registry loaded: the resident's run and the device.
        let restored = h.gateway.log.split(separator: "\n").last { $0.contains("rule state restored") }
        XCTAssertNotNil(restored)
        XCTAssertTrue(restored?.contains("read_ahead=true") ?? false, "\(restored ?? "")")
        XCTAssertTrue(restored?.contains("devices=1 ") ?? false, "\(restored ?? "")")
        try h.publish(topic: "iMEDE_watch/AP55", batch(100, 160))
        let opened = try await h.eventually { try await h.alerts(state: "open").count == 1 }
        XCTAssertTrue(opened, "the run started before the restart completes after it")
        let open = try await h.alerts(state: "open")
        XCTAssertEqual(open.first?["rule"] as? String, "heart_rate_high")
        await h.shutdown()
    }

    /// /healthz says why it is unhealthy while the broker is away, and recovers with it;
    /// an SOS sent while the gateway was away (persistent session) still arrives.
    func testHealthFollowsTheBrokerAndTheSessionKeepsMessages() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        try h.broker.stop(.kill)
        let down = try await h.eventually(15) {
            let (status, data) = try await HTTP.get("http://127.0.0.1:\(h.httpPort)/healthz")
            return status == 503 && String(decoding: data, as: UTF8.self).contains("broker")
        }
        XCTAssertTrue(down, "503 with the reason while the broker is down")
        try h.broker.start()
        let up = try await h.eventually(40) {
            (try? await HTTP.get("http://127.0.0.1:\(h.httpPort)/healthz"))?.0 == 200
        }
        XCTAssertTrue(up, "healthy again once the broker is back")
        // Gateway stopped, SOS published, gateway started: the broker kept it for the session.
        XCTAssertEqual(h.gateway.stop(), 0)
        try h.publish("imede-sos")
        try h.gateway.start()
        let reqs = try await h.hotline.waitFor(count: 1, timeout: .seconds(30))
        XCTAssertEqual(reqs.count, 1)
        await h.shutdown()
    }

    func testBadPayloadsAreRejectedAndCountedAndTheGatewayKeepsServing() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        try h.publish("bad-truncated")
        try h.publish("bad-types")
        try h.publish("bad-binary")
        try h.publish("bad-sentinels")
        try h.broker.publish(
            topic: "iMEDE_watch/VitalSign", payload: Array(repeating: UInt8(ascii: "x"), count: 2_000_000))
        try h.publish(topic: "nobody/listens/here", "{}")
        try h.publish("imede-sos")
        _ = try await h.hotline.waitFor(count: 1)
        let counted = try await h.eventually {
            (try await h.metric("anxin_messages_rejected_total{reason=\"too_large\"}") ?? 0) >= 1
        }
        XCTAssertTrue(counted)
        let unparsable = try await h.metric("anxin_messages_rejected_total{reason=\"unparsable\"}") ?? 0
        let wrongType = try await h.metric("anxin_messages_rejected_total{reason=\"wrong_type\"}") ?? 0
        let badTime = try await h.metric("anxin_messages_rejected_total{reason=\"bad_time\"}") ?? 0
        XCTAssertGreaterThanOrEqual(unparsable, 2, "truncated JSON and binary garbage")
        XCTAssertGreaterThanOrEqual(wrongType + badTime, 1, "mistyped fields")
        let sentinels = try await h.metric("anxin_sentinels_dropped_total") ?? 0
        XCTAssertGreaterThanOrEqual(sentinels, 3)
        // The sentinel message's battery reading was kept.
        let stored = try await h.eventually { (try await h.metric("anxin_readings_stored_total") ?? 0) >= 1 }
        XCTAssertTrue(stored)
        let (status, _) = try await HTTP.get("http://127.0.0.1:\(h.httpPort)/healthz")
        XCTAssertEqual(status, 200)
        XCTAssertTrue(h.gateway.isRunning)
        await h.shutdown()
    }

    func testSIGHUPWithABrokenProfileKeepsTheRunningSet() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        let broken = h.profilesDir.appendingPathComponent("zz-broken.yaml")
        try "id: broken\ntopics: [\"x/#\"]\nbogus_key: 1\n".write(to: broken, atomically: true, encoding: .utf8)
        h.gateway.signal(SIGHUP)
        let logged = try await h.eventually { h.gateway.log.contains("zz-broken.yaml:") }
        XCTAssertTrue(logged, h.gateway.log)
        let line = h.gateway.log.split(separator: "\n").first { $0.contains("zz-broken.yaml:") }.map(String.init) ?? ""
        XCTAssertNotNil(line.range(of: #"zz-broken\.yaml:\d+:"#, options: .regularExpression), line)
        try h.publish("imede-sos")
        let reqs = try await h.hotline.waitFor(count: 1)
        XCTAssertEqual(reqs.count, 1)
        XCTAssertTrue(h.gateway.isRunning)
        await h.shutdown()
    }
}
