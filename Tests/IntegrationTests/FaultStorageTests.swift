import AnxinCore
import AnxinTesting
import Foundation
import Store
import XCTest

/// A full database: alerts and incidents still flow, readings are shed and counted, /healthz says
/// why, everything recovers once there is room, and the file is never corrupted.
final class FaultStorageTests: XCTestCase {
    /// The harness registry plus R-0004, whose watch floods the database.
    static let registry =
        GatewayHarness.registry.replacingOccurrences(
            of: "beds:\n",
            with: """
                  - id: R-0004
                    name: 赵玉兰
                    bed: JN-KY-03-0305-1
                    room: 3号楼305室
                    address: 昆明市晋宁区昆阳街道月山社区3号楼305室
                    phone: "13800000003"
                    contacts: [{name: 赵刚, relation: 儿子, phone: "13900000003"}]
                    care_level: 1
                    flags: []
                    devices: ["865067029999999"]
                beds:

                """)
    static let floodDevice = "865067029999999"

    /// `count` iMEDE batches of `perBatch` heart rates each, every one at its own second.
    static func batches(_ count: Int, perBatch: Int, device: String, start: Int64) -> [String] {
        (0..<count).map { b in
            let items = (0..<perBatch).map { i in
                "{\"timestamp\":\(start + Int64(b * perBatch + i)),\"heartRate\":\(60 + (b + i) % 30)}"
            }
            return "{\"IMEI\":\"\(device)\",\"data\":[\(items.joined(separator: ","))]}"
        }
    }

    func health(_ h: GatewayHarness) async throws -> (Int, String) {
        let (status, data) = try await HTTP.get("http://127.0.0.1:\(h.httpPort)/healthz")
        return (status, String(decoding: data, as: UTF8.self))
    }

    func testDatabaseCapReachedAlertsStillFlowReadingsShedThenRecovers() async throws {
        let h = try await GatewayHarness(registry: Self.registry, storageExtra: ", max_size_mb: 4")
        try await h.start()
        let start = SystemWallClock().now() / 1000 - 500_000
        // 800,000 readings in 8,000 messages, faster than the folder moves them into the history: staged,
        // at ~7 bytes each (a message of 100 heart rates is one staged row), they fill 4 MB long before
        // the last, and more than the 100,000 held in memory while full are left (in the history they
        // take ~6 bytes).
        try h.broker.publish(
            topic: "iMEDE_watch/AP55", lines: Self.batches(8000, perBatch: 100, device: Self.floodDevice, start: start))
        let full = try await h.eventually(90) { (try await h.metric("anxin_storage_full")) == 1 }
        XCTAssertTrue(full, "the cap is reached; log:\n\(h.gateway.log.suffix(2000))")
        let (status, body) = try await health(h)
        XCTAssertEqual(status, 503)
        XCTAssertTrue(body.contains("database full"), body)

        // Once the flood is taken in, an SOS still becomes an alert and reaches the hotline.
        let drained = try await h.eventually(120) { (try await h.metric("anxin_messages_received_total") ?? 0) >= 8000 }
        XCTAssertTrue(drained)
        let sosAt = Date()
        try h.publish("imede-sos")
        let incidents = try await h.hotline.waitFor(count: 1, timeout: .seconds(15))
        let sosLatency = Date().timeIntervalSince(sosAt)
        XCTAssertEqual(incidents.count, 1)
        XCTAssertTrue(incidents.first?.bodyText.contains("\"sos\"") ?? false)
        let open = try await h.alerts(state: "open")
        XCTAssertEqual(open.map { $0["rule"] as? String }, ["sos"])
        let shed = try await h.eventually(60) {
            (try await h.metric("anxin_readings_shed_total{reason=\"database_full\"}") ?? 0) > 0
        }
        XCTAssertTrue(shed, "readings past the bound are shed and counted")
        let stored = try await h.metric("anxin_readings_stored_total") ?? 0
        let shedCount = try await h.metric("anxin_readings_shed_total{reason=\"database_full\"}") ?? 0
        XCTAssertGreaterThan(stored, 100_000, "the database took readings up to its cap")
        let size = try FileManager.default.attributesOfItem(atPath: h.dir.appendingPathComponent("anxin.db").path)[
            .size]
        let bytes = (size as? NSNumber)?.intValue ?? Int.max
        XCTAssertLessThanOrEqual(bytes, 4 << 20, "the cap holds")
        let stillFull = try await h.metric("anxin_storage_full")
        XCTAssertEqual(stillFull, 1, "still full after the readings' retries")

        // Room comes back: the operator erases the flooding resident's readings.
        let purge = try runAnxin(["purge", "--config", h.configPath, "--resident", "R-0004"])
        XCTAssertEqual(purge.status, 0, purge.err)
        try h.publish("imede-vitals")
        let recovered = try await h.eventually(60) {
            let cleared = (try await h.metric("anxin_storage_full")) == 0
            let healthy = (try await self.health(h)).0 == 200
            return cleared && healthy
        }
        XCTAssertTrue(recovered, "healthy again once there is room; log:\n\(h.gateway.log.suffix(2000))")
        let after = try await h.metric("anxin_readings_stored_total") ?? 0
        XCTAssertGreaterThan(after, stored, "held readings are committed after recovery")
        XCTAssertEqual(h.gateway.stop(), 0)
        let store = try Store(path: h.dir.appendingPathComponent("anxin.db").path, readOnly: true)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        print(
            "FAULT-FIGURE database-cap cap_mb=4 published_readings=800000 stored_before_recovery=\(Int(stored)) "
                + "shed=\(Int(shedCount)) stored_total=\(Int(after)) sos_to_hotline_s=\(String(format: "%.2f", sosLatency)) "
                + "integrity=ok")
        await h.shutdown()
    }
}

/// The same on a real filesystem that fills up (a small tmpfs), where the machine lets the test mount one.
final class FaultFullDiskTests: XCTestCase {
    func mount(_ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/mount")
        p.arguments = args
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Run by `Scripts/faults.sh` (ANXIN_FAULT_TMPFS=1; it mounts a tmpfs, so it needs root, and floods the
    /// gateway for ~25 s), not in CI, where FaultStorageTests (the size cap) and StoreFullFilesystemTests
    /// (the checkpoint rule, on a tmpfs) stand for it. One run in 65 once lost the first SOS here: a WAL
    /// checkpoint had spent the room released for alerts (FAULTS.md); it prints the gateway's log if it fails.
    func testRealFullFilesystemAlertsStillFlowAndRecovery() async throws {
        try XCTSkipUnless(
            ProcessInfo.processInfo.environment["ANXIN_FAULT_TMPFS"] == "1",
            "the full-filesystem test mounts a tmpfs: it runs from Scripts/faults.sh (ANXIN_FAULT_TMPFS=1)")
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "anxin-tmpfs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard mount(["-t", "tmpfs", "-o", "size=7m,mode=0700", "tmpfs", folder.path]) else {
            try? FileManager.default.removeItem(at: folder)
            throw XCTSkip("this machine does not let the test mount a tmpfs; FaultStorageTests covers the size cap")
        }
        // Teardown blocks run last to first, after the test even when it throws: the gateway is
        // stopped before the tmpfs it writes to is unmounted.
        addTeardownBlock {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/umount")
            p.arguments = [folder.path]
            try? p.run()
            p.waitUntilExit()
            try? FileManager.default.removeItem(at: folder)
        }
        let h = try await GatewayHarness(registry: FaultStorageTests.registry, databaseFolder: folder)
        addTeardownBlock { h.gateway.kill9() }
        try await h.start()
        let start = SystemWallClock().now() / 1000 - 500_000
        try h.broker.publish(
            topic: "iMEDE_watch/AP55",
            lines: FaultStorageTests.batches(8000, perBatch: 100, device: FaultStorageTests.floodDevice, start: start))
        let full = try await h.eventually(90) { (try await h.metric("anxin_storage_full")) == 1 }
        XCTAssertTrue(full, "the filesystem fills up; log:\n\(h.gateway.log.suffix(2000))")
        let (status, data) = try await HTTP.get("http://127.0.0.1:\(h.httpPort)/healthz")
        XCTAssertEqual(status, 503)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("database full"))
        let drained = try await h.eventually(120) { (try await h.metric("anxin_messages_received_total") ?? 0) >= 8000 }
        XCTAssertTrue(drained)
        // Past a retry of the held readings (every 5 s): they must not have eaten the alerts' reserve.
        try await Task.sleep(for: .seconds(6))
        let sosAt = Date()
        try h.publish("imede-sos")
        let incidents = (try? await h.hotline.waitFor(count: 1, timeout: .seconds(15))) ?? []
        let sosLatency = Date().timeIntervalSince(sosAt)
        XCTAssertEqual(
            incidents.count, 1, "the SOS reaches the hotline on a full disk; log:\n\(h.gateway.log.suffix(2500))")
        try await Task.sleep(for: .seconds(6))
        try h.publish("setracker-al")
        let second = try await h.hotline.waitFor(count: 2, timeout: .seconds(15))
        XCTAssertEqual(second.count, 2, "a second emergency on the still full disk reaches the hotline too")
        let stored = try await h.metric("anxin_readings_stored_total") ?? 0
        XCTAssertGreaterThan(stored, 50_000, "the disk took readings until it was full")
        // Space comes back.
        XCTAssertTrue(mount(["-o", "remount,size=96m", folder.path]), "tmpfs grows")
        try h.publish("imede-vitals")
        let recovered = try await h.eventually(60) {
            let cleared = (try await h.metric("anxin_storage_full")) == 0
            let healthy = (try? await HTTP.get("http://127.0.0.1:\(h.httpPort)/healthz"))?.0 == 200
            return cleared && healthy
        }
        XCTAssertTrue(recovered, "healthy again once there is room; log:\n\(h.gateway.log.suffix(2000))")
        let after = try await h.metric("anxin_readings_stored_total") ?? 0
        XCTAssertGreaterThan(after, stored)
        XCTAssertEqual(h.gateway.stop(), 0)
        let store = try Store(path: folder.appendingPathComponent("anxin.db").path, readOnly: true)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        store.close()
        print(
            "FAULT-FIGURE full-filesystem tmpfs_mb=7 stored_while_full=\(Int(stored)) stored_after=\(Int(after)) "
                + "sos_to_hotline_s=\(String(format: "%.2f", sosLatency)) integrity=ok")
        await h.shutdown()
    }
}
