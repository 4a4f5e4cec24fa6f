import AnxinCore
import AnxinTesting
import Foundation
import XCTest

/// SECURITY.md section 5 over a whole fault scenario: the real binary, broker, hotline and staff
/// webhooks; every device fixture, a blood-pressure crisis, bad payloads (one carrying a phone
/// number), an unregistered SOS, the hotline refusing then accepting, a staff acknowledgement
/// whose note names the resident, a refused and an accepted SIGHUP reload that adds a resident,
/// and a restart. The gateway's whole output (its log file takes stdout and stderr) must hold
/// no resident's name, phone, contact, key holder, address, room, medical note or position, no
/// staff note, no secret and no raw payload text. Device ids and alert ids may appear. At debug
/// level a rejected message's reason names the profile's field (`'heartRate' has the wrong
/// type`), never the payload's text.
final class LogPrivacyTests: XCTestCase {
    func testInfoLogOfAFullFaultScenarioHoldsNoPersonalDataOrPayloads() async throws {
        try await scenario(level: "info")
    }

    func testDebugLogOfAFullFaultScenarioHoldsNoPersonalDataOrPayloads() async throws {
        try await scenario(level: "debug")
    }

    /// A resident added by the SIGHUP reload (first refused for a bad phone, then accepted).
    static let addedResident = """
          - id: R-0004
            name: 赵淑芬
            bed: JN-KY-03-0305-1
            room: 3号楼305室
            address: 昆明市晋宁区昆阳街道月山社区3号楼305室
            phone: "PHONE"
            contacts: [{name: 赵刚, relation: 儿子, phone: "13900000003"}]
            devices: ["865067021230004"]
            medical_notes: 糖尿病, 胰岛素依赖

        """

    /// Everything personal the registries, the staff note and the payloads hold.
    static let personal: [String] = [
        // residents, contacts, key holder, device phone numbers
        "张桂兰", "王德明", "刘秀英", "赵淑芬", "李明", "王芳", "刘强", "赵刚", "邻居刘阿姨",
        "13800000000", "13800000001", "13800000002", "13800000003", "1380000ABCD",
        "13900000000", "13900000001", "13900000002", "13900000003", "13600000000", "14700000000",
        // addresses and rooms
        "昆明市", "晋宁区", "昆阳街道", "月山社区", "3号楼302室", "3号楼303室", "3号楼304室", "3号楼305室",
        // medical notes, flags
        "高血压", "青霉素过敏", "糖尿病", "胰岛素", "dementia", "lives_alone",
        // positions: the fixtures' fixes and the home zone
        "24.6701", "102.5966", "24.6693", "102.5959", "24.6692", "102.5958", "2440.1526", "10235.7498",
        // the staff note
        "已送医", "13700000001",
        // the phone number inside a bad payload
        "13700000000",
        // the hotline's HMAC key (GatewayHarness.secret)
        "test-hotline-secret",
    ]

    /// Raw payload text: JSON keys as the devices send them, frame heads, Wi-Fi and cell data.
    static let payloadFragments: [String] = [
        "\"IMEI\"", "\"heartRate\"", "\"bloodPressure\"", "\"bp_sys\"", "\"status\":\"SOS\"", "FALL DOWN",
        "\"timeStamps\"", "\"records\"", "\"sys_kpa\"", "\"ble_mac\"", "thing.event.property.post",
        "\"params\"", "3G*4700609403", "*AL,", "*UD2,", "bphrt,", "IWAP01", "IWAP10", "IWAPHP", "IWAP49",
        "74-DE-2B-44-88-8C", "9520,3671", "garbage", "seventy",
    ]

    func scenario(level: String) async throws {
        let h = try await GatewayHarness(rules: try StaffChannelsTests.rules())
        try h.addWardAndSupervisorHooks()
        h.hotline.script([.status(503), .status(503), .tooManyRequests(retryAfterSeconds: 1)])
        defer { Task { await h.shutdown() } }
        try await start(h, level: level)

        // Every fixture, good and bad.
        let folder = GatewayProcess.repositoryRoot().appendingPathComponent("Tests/Fixtures/devices")
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".msg") }
        XCTAssertGreaterThanOrEqual(fixtures.count, 20)
        for name in fixtures.sorted() { try h.publish(String(name.dropLast(4))) }

        // A blood-pressure crisis measured just now, bad payloads, an unregistered SOS.
        let now = Timestamp.iso8601(SystemWallClock().now() - 5000, utcOffsetSeconds: 8 * 3600)
        let local =
            String(now.dropFirst(8).prefix(2)) + "/" + String(now.dropFirst(5).prefix(2)) + "/"
            + String(now.prefix(4)) + " " + String(now.dropFirst(11).prefix(8))
        try h.publish(
            topic: "iMEDE_watch/VitalSign",
            "{\"IMEI\":\"865067021234567\",\"heartRate\":90,\"bloodPressure\":{\"bp_sys\":230,\"bp_dia\":100},"
                + "\"spO2\":96,\"battery\":60,\"timeStamps\":\"\(local)\"}"
        )
        try h.publish(
            topic: "iMEDE_watch/sos", "{\"IMEI\":\"865067021234567\",\"status\":\"SOS\",\"location\":{\"GPS\":")
        try h.publish(topic: "iMEDE_watch/VitalSign", "{\"IMEI\":\"865067021234567\",\"heartRate\":\"seventy\"}")
        try h.publish(topic: "watch/iw/352661090012345/up", "IWAPXX,13700000000,garbage")
        try h.publish(topic: "watch/3g/up", "[3G*4700609403*0010*LK,13700000000]")
        try h.publish(topic: "iMEDE_watch/sos", "{\"status\":\"SOS\",\"IMEI\":\"869999000000001\"}")

        // The hotline refuses twice and asks to wait once, then takes everything.
        let delivered = try await h.eventually(30) {
            let rules = self.acceptedIncidents(h).map(\.rule)
            return rules.contains("bp_crisis") && rules.filter { $0 == "sos" }.count >= 3
                && self.acceptedIncidents(h).contains { $0.device == "869999000000001" }
        }
        XCTAssertTrue(delivered, "incidents: \(acceptedIncidents(h))")
        XCTAssertEqual(h.hotline.requests.prefix(3).map(\.answeredStatus), [503, 503, 429])

        // On-call acknowledges the first SOS with a note naming the resident.
        let open = try await h.alerts(state: "open")
        let sos = try XCTUnwrap(open.first { $0["rule"] as? String == "sos" }?["id"] as? String, "\(open)")
        let (acked, ackBody) = try await HTTP.post(
            "http://127.0.0.1:\(h.httpPort)/api/v1/alerts/\(sos)/ack",
            json: #"{"by": "护工小周", "note": "张桂兰已送医, 家属 13700000001"}"#)
        XCTAssertEqual(acked, 200, String(decoding: ackBody, as: UTF8.self))
        let followUp = try await h.eventually(15) {
            h.hotline.requests.contains { $0.path.hasSuffix("/updates") && $0.answeredStatus == 200 }
        }
        XCTAssertTrue(followUp, "the acknowledgement reaches the hotline")
        let notices = try await h.eventually { !h.hooks.requests(path: "/ward").isEmpty }
        XCTAssertTrue(notices, "on-call notices went out")

        // SIGHUP with a registry that has a bad phone: refused. Fixed: accepted.
        let registry = h.dir.appendingPathComponent("registry.yaml")
        func writeRegistry(phone: String) throws {
            let added = Self.addedResident.replacingOccurrences(of: "PHONE", with: phone)
            try GatewayHarness.registry.replacingOccurrences(of: "beds:\n", with: added + "beds:\n")
                .write(to: registry, atomically: true, encoding: .utf8)
        }
        try writeRegistry(phone: "1380000ABCD")
        h.gateway.signal(SIGHUP)
        let refused = try await h.eventually { h.gateway.log.contains("reload refused;") }
        XCTAssertTrue(refused, "the bad registry is refused")
        try writeRegistry(phone: "13800000003")
        h.gateway.signal(SIGHUP)
        let reloaded = try await h.eventually { h.gateway.log.contains("reloaded profiles, rules and registry") }
        XCTAssertTrue(reloaded, "the fixed registry is taken")
        try h.publish(topic: "iMEDE_watch/sos", "{\"status\":\"SOS\",\"IMEI\":\"865067021230004\"}")
        let added = try await h.eventually(15) {
            self.acceptedIncidents(h).contains { $0.device == "865067021230004" && $0.registered }
        }
        XCTAssertTrue(added, "the reloaded registry names the new resident to the hotline")

        // A restart, and one more fall after it.
        XCTAssertEqual(h.gateway.stop(), 0)
        try await start(h, level: level, readyLines: 2)
        let before = acceptedIncidents(h).count
        try h.publish("setracker-fall")
        try h.publish(topic: "iMEDE_watch/fallDown", "{\"status\":\"FALL DOWN\",\"IMEI\":\"865067021230004\"}")
        let afterRestart = try await h.eventually(15) { self.acceptedIncidents(h).count > before }
        XCTAssertTrue(afterRestart, "incidents flow after the restart")
        XCTAssertEqual(h.gateway.stop(), 0)

        // The whole output, grepped (kept in FAULT_LOG_DIR when set, to read by hand).
        let log = h.gateway.log
        if let keep = ProcessInfo.processInfo.environment["FAULT_LOG_DIR"] {
            try log.write(toFile: keep + "/anxin-\(level).log", atomically: true, encoding: .utf8)
        }
        XCTAssertTrue(log.contains("alert opened"), "the scenario ran")
        XCTAssertTrue(log.contains("865067021234567") || log.contains("alert"), "ids may appear")
        var leaks: [String] = []
        for needle in Self.personal + Self.payloadFragments {
            for line in log.split(separator: "\n") where line.contains(needle) {
                leaks.append("[\(needle)] \(line)")
            }
        }
        for leak in leaks { XCTFail("the \(level) log leaks: \(leak)") }
        let lines = log.split(separator: "\n").count
        let incidents = acceptedIncidents(h)
        print(
            "FAULT-FIGURE log-privacy-\(level) log_lines=\(lines) log_bytes=\(log.utf8.count) needles="
                + "\(Self.personal.count + Self.payloadFragments.count) leaks=\(leaks.count)"
                + " incidents_accepted=\(incidents.count) hotline_requests=\(h.hotline.requests.count)"
                + " ward_notices=\(h.hooks.requests(path: "/ward").count)"
                + " reloads=\(count("reload requested", in: log)) starts=\(count("gateway ready", in: log))")
    }

    /// Starts (or restarts) the binary at `level` and waits for its `readyLines`-th "gateway ready".
    func start(_ h: GatewayHarness, level: String, readyLines: Int = 1) async throws {
        try h.gateway.start(environment: ["ANXIN_LOG_LEVEL": level])
        let healthy = await h.gateway.waitHealthy(timeout: 60)
        XCTAssertTrue(healthy, "gateway did not become healthy; log:\n\(h.gateway.log)")
        let ready = try await h.eventually(20) { self.count("gateway ready", in: h.gateway.log) >= readyLines }
        XCTAssertTrue(ready, "gateway never became ready; log:\n\(h.gateway.log)")
    }

    func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    struct Incident: Equatable {
        var rule: String
        var device: String
        var registered: Bool
    }

    /// Incidents the hotline answered 2xx (not follow-ups), from their bodies.
    func acceptedIncidents(_ h: GatewayHarness) -> [Incident] {
        h.hotline.requests(path: "/api/incidents").filter { (200..<300).contains($0.answeredStatus) }.compactMap {
            guard let body = try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any],
                let rule = body["rule"] as? String, let device = body["device"] as? [String: Any],
                let id = device["id"] as? String
            else { return nil }
            return Incident(rule: rule, device: id, registered: device["registered"] as? Bool ?? false)
        }
    }
}
