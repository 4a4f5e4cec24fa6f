import AnxinCore
import AnxinTesting
import Foundation
import Store
import XCTest

/// One device floods; another resident's SOS is not delayed, the flooder's own SOS is never shed;
/// repeats and replays store nothing twice; ever new device ids do not grow the gateway's memory.
final class FaultFairnessTests: XCTestCase {
    /// Publishes `lines` on one `mosquitto_pub -l` connection at about `perSecond` lines a second.
    static func pacedPublish(broker: TestBroker, topic: String, lines: [String], perSecond: Int) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")
        p.arguments = ["-h", broker.host, "-p", String(broker.port), "-V", "mqttv5", "-t", topic, "-q", "1", "-l"]
        let pipe = Pipe()
        p.standardInput = pipe
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let started = Date()
        let perTick = max(1, perSecond / 100)
        var sent = 0
        while sent < lines.count {
            let chunk = lines[sent..<min(lines.count, sent + perTick)].joined(separator: "\n") + "\n"
            pipe.fileHandleForWriting.write(Data(chunk.utf8))
            sent += perTick
            let due = started.addingTimeInterval(Double(sent) / Double(perSecond))
            let wait = due.timeIntervalSinceNow
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        }
        try pipe.fileHandleForWriting.close()
        p.waitUntilExit()
    }

    func testAFloodingDeviceDelaysNoOneAndKeepsItsOwnSOS() async throws {
        let h = try await GatewayHarness(deviceReadingsPerSecond: 20)
        try await h.start()
        // Idle reference: R-0002's SOS on a quiet gateway.
        var t = Date()
        try h.publish("setracker-al")
        _ = try await h.hotline.waitFor(count: 1, timeout: .seconds(10))
        let idle = Date().timeIntervalSince(t)
        let firstID = try await h.alerts(state: "open").first?["id"] as? String ?? ""
        let resolved = try await HTTP.post(
            "http://127.0.0.1:\(h.httpPort)/api/v1/alerts/\(firstID)/resolve",
            json: #"{"by":"test","note":"idle reference"}"#)
        XCTAssertEqual(resolved.0, 200)

        // R-0001's watch floods: 1,000 messages a second for 8 s, each a reading at its own second.
        let base = SystemWallClock().now() / 1000 - 100_000
        let flood = (0..<8000).map {
            "{\"IMEI\":\"865067021234567\",\"data\":[{\"timestamp\":\(base + Int64($0)),\"heartRate\":\(60 + $0 % 20)}]}"
        }
        let flooder = Thread {
            try? Self.pacedPublish(broker: h.broker, topic: "iMEDE_watch/AP55", lines: flood, perSecond: 1000)
        }
        let floodStart = Date()
        flooder.start()
        try await Task.sleep(for: .seconds(3))
        // Another resident's SOS, then the flooder's own, in the middle of the flood.
        func incidents() -> [HotlineReceiver.Request] { h.hotline.requests.filter { !$0.path.contains("/updates") } }
        t = Date()
        try h.publish("setracker-al")
        let otherArrived = try await h.eventually(10) { incidents().count == 2 }
        let underFlood = Date().timeIntervalSince(t)
        XCTAssertTrue(otherArrived, "another resident's SOS reaches the hotline during the flood")
        try h.publish("imede-sos")
        let ownArrived = try await h.eventually(10) { incidents().count == 3 }
        XCTAssertTrue(ownArrived, "the flooder's own SOS reaches the hotline")
        XCTAssertTrue(incidents().last?.bodyText.contains("865067021234567") ?? false)
        while Date().timeIntervalSince(floodStart) < 9 { try await Task.sleep(for: .milliseconds(200)) }
        let settled = try await h.eventually(20) {
            let stored = try await h.metric("anxin_readings_stored_total") ?? 0
            let shed = try await h.metric("anxin_readings_shed_total{reason=\"device_flood\"}") ?? 0
            return stored + shed >= 8000
        }
        XCTAssertTrue(settled)
        let stored = try await h.metric("anxin_readings_stored_total") ?? 0
        let shed = try await h.metric("anxin_readings_shed_total{reason=\"device_flood\"}") ?? 0
        let duration = Date().timeIntervalSince(floodStart)
        // A burst of 2,000 (100 s at 20/s), then 20 a second.
        XCTAssertGreaterThanOrEqual(stored, 2000)
        XCTAssertLessThanOrEqual(stored, 2000 + 20 * (duration + 2) + 2)
        XCTAssertGreaterThan(shed, 5000)
        XCTAssertLessThan(underFlood, 1.0, "another resident's SOS is not held back by the flood")
        XCTAssertTrue(h.gateway.log.contains("shedding its excess readings"))
        print(
            "FAULT-FIGURE device-flood rate=1000/s seconds=8 stored=\(Int(stored)) shed=\(Int(shed)) "
                + "sos_idle_s=\(String(format: "%.3f", idle)) sos_under_flood_s=\(String(format: "%.3f", underFlood)) "
                + "own_sos=delivered")
        await h.shutdown()
    }

    func testRedeliveriesAndReplayedBatchesStoreNothingTwice() async throws {
        let h = try await GatewayHarness()
        try await h.start()
        // A batch with the device's own timestamps, delivered three times (a replayed upload).
        for _ in 0..<3 { try h.publish("imede-batch") }
        // A timestamp-less vital sign repeated byte for byte (a QoS 1 redelivery) within the window.
        for _ in 0..<3 { try h.publish("setracker-bphrt") }
        // An SOS without a timestamp, redelivered.
        for _ in 0..<3 { try h.publish("imede-sos") }
        _ = try await h.hotline.waitFor(count: 1, timeout: .seconds(10))
        let settled = try await h.eventually(10) { (try await h.metric("anxin_messages_received_total") ?? 0) >= 9 }
        XCTAssertTrue(settled)
        try await Task.sleep(for: .seconds(1))
        let stored = try await h.metric("anxin_readings_stored_total") ?? 0
        let repeated = try await h.metric("anxin_messages_repeated_total") ?? 0
        XCTAssertEqual(repeated, 4, "the 3G* vital sign and the SOS each repeated twice")
        let batch = try GatewayHarness.deviceMessage("imede-batch")
        let batchReadings = batch.payload.split(separator: UInt8(ascii: "{")).count - 2
        XCTAssertGreaterThan(batchReadings, 0)
        let open = try await h.alerts(state: "open")
        XCTAssertEqual(open.filter { $0["rule"] as? String == "sos" }.count, 1)
        XCTAssertEqual(h.hotline.requests.count, 1, "one incident for the repeated SOS")
        // Stop and count rows: every stored reading is distinct.
        XCTAssertEqual(h.gateway.stop(), 0)
        let store = try Store(path: h.dir.appendingPathComponent("anxin.db").path, readOnly: true)
        // Readings are counted as stored when committed to the staging table; the replayed batch's
        // repeats (15 readings, twice) are dropped when folded into the history, which the stop did.
        XCTAssertEqual(try store.stagedPackCount(), 0)
        XCTAssertEqual(Int(stored) - (try store.readingCount()), 30)
        print(
            "FAULT-FIGURE duplicates batch_replays=3 redeliveries=2+2 readings_stored=\(Int(stored)) "
                + "repeats_dropped=\(Int(repeated)) sos_alerts=1 incidents=1 window_s=10")
        await h.shutdown()
    }
}
