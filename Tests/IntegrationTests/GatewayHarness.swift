import AnxinCore
import AnxinTesting
import Foundation
import XCTest

/// A real gateway under test: a real mosquitto on a free loopback port, a real HTTP
/// hotline receiver, a real SQLite file and the real `anxin` binary.
final class GatewayHarness: @unchecked Sendable {
    let dir: URL
    let broker: TestBroker
    let hotline: HotlineReceiver
    /// Heartbeats and staff webhooks land here, apart from the incidents.
    let hooks: HotlineReceiver
    let secret = Array("test-hotline-secret".utf8)
    let httpPort = freeLoopbackPort()
    var gateway: GatewayProcess!
    let configPath: String
    let profilesDir: URL
    /// The registry the gateway runs with (its personal data must never reach the log).
    private(set) var registryText = ""

    /// The device messages from shared/devices (topic, payload).
    static func deviceMessage(_ name: String) throws -> (topic: String, payload: [UInt8]) {
        let root = GatewayProcess.repositoryRoot()
        let url = root.appendingPathComponent("Tests/Fixtures/devices/\(name).msg")
        var bytes = Array(try Data(contentsOf: url))
        let nl = bytes.firstIndex(of: 10)!
        let topic = String(decoding: bytes[..<nl], as: UTF8.self)
        bytes = Array(bytes[(nl + 1)...])
        if bytes.last == 10 { bytes.removeLast() }
        return (topic, bytes)
    }

    /// - Parameters:
    ///   - extraConfig: YAML appended to the config (`notify:` channels, `http:` is already set).
    ///   - rules: a rules file's text, written next to the config and named in it.
    ///   - storageExtra: more `storage:` keys, e.g. `, max_size_mb: 2`.
    ///   - databaseFolder: where the database lives (default: the harness folder).
    ///   - brokerUsers, brokerACL: the broker's password file and ACL (none: anonymous, no ACL).
    ///   - mqttUser: the gateway's broker account (its password is `brokerUsers[mqttUser]`).
    ///   - deviceReadingsPerSecond: the per-device flood guard; off (0) unless a test is about it,
    ///     since tests push rates no real device sends.
    init(
        hotlineDefault: HotlineReceiver.Reply = .accepted(ticket: "T-1"), extraConfig: String = "",
        rules: String? = nil, httpExtra: String = "", registry: String? = nil, storageExtra: String = "",
        deviceReadingsPerSecond: Int = 0, databaseFolder: URL? = nil, brokerUsers: [String: String] = [:],
        brokerACL: [String] = [], mqttUser: String? = nil
    ) async throws {
        dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("anxin-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        broker = try TestBroker(users: brokerUsers, acl: brokerACL)
        hotline = HotlineReceiver(secret: secret, dedupe: true, defaultReply: hotlineDefault)
        _ = try await hotline.start()
        hooks = HotlineReceiver()
        _ = try await hooks.start()
        try Data(secret).write(to: dir.appendingPathComponent("hotline.secret"))
        if let mqttUser, let password = brokerUsers[mqttUser] {
            try Data(password.utf8).write(to: dir.appendingPathComponent("mqtt.password"))
        }
        profilesDir = dir.appendingPathComponent("profiles")
        // Resolved first: in a checkout where DeviceProfiles is a symlink, a copy of the link would
        // let the tests below edit the real folder.
        try FileManager.default.copyItem(
            at: GatewayProcess.repositoryRoot().appendingPathComponent("DeviceProfiles").resolvingSymlinksInPath(),
            to: profilesDir)
        for f in try FileManager.default.contentsOfDirectory(atPath: profilesDir.path) where !f.hasSuffix(".yaml") {
            try FileManager.default.removeItem(at: profilesDir.appendingPathComponent(f))
        }
        registryText = registry ?? Self.registry
        try (registry ?? Self.registry).write(
            to: dir.appendingPathComponent("registry.yaml"), atomically: true, encoding: .utf8)
        configPath = dir.appendingPathComponent("anxin.yaml").path
        let config = """
            gateway_id: it-01
            timezone: Asia/Shanghai
            mqtt: {host: 127.0.0.1, port: \(broker.port), client_id: anxin-it\(mqttUser.map { ", username: \($0), password_file: mqtt.password" } ?? "")}
            storage: {path: \((databaseFolder ?? dir).path)/anxin.db, device_readings_per_second: \(deviceReadingsPerSecond)\(storageExtra)}
            profiles: [profiles]
            registry: registry.yaml
            http: {listen: "127.0.0.1:\(httpPort)"\(httpExtra)}
            hotline: {url: "\(hotline.url)", secret_file: hotline.secret, heartbeat_url: "\(hooks.url(path: "/heartbeat"))"}
            \(rules == nil ? "" : "rules: rules.yaml")
            \(extraConfig)

            """
        if let rules {
            try rules.write(to: dir.appendingPathComponent("rules.yaml"), atomically: true, encoding: .utf8)
        }
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        gateway = GatewayProcess(
            arguments: ["run", "--config", configPath], logPath: dir.appendingPathComponent("anxin.log").path,
            httpPort: httpPort)
    }

    /// Staff channels as webhooks on `hooks`: the on-call group at `/ward`, a supervisor group at `/sup`.
    func addWardAndSupervisorHooks() throws {
        try """
        notify:
          channels:
            ward: {type: webhook, url: "\(hooks.url(path: "/ward"))"}
            sup: {type: webhook, url: "\(hooks.url(path: "/sup"))"}
          groups:
            oncall: [ward]
            supervisor: [sup]
        """.appendLine(toFile: configPath)
    }

    func start(environment: [String: String] = [:]) async throws {
        try gateway.start(environment: ["ANXIN_LOG_LEVEL": "info"].merging(environment) { $1 })
        let ok = await gateway.waitHealthy(timeout: 60)
        if !ok { XCTFail("gateway did not become healthy; log:\n\(gateway.log)") }
        // /healthz answers once connected; subscriptions are acknowledged only at "gateway ready".
        let deadline = Date().addingTimeInterval(20)
        while !gateway.log.contains("gateway ready") && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if !gateway.log.contains("gateway ready") { XCTFail("gateway never became ready; log:\n\(gateway.log)") }
    }

    func publish(_ name: String) throws {
        let m = try Self.deviceMessage(name)
        try broker.publish(topic: m.topic, payload: m.payload, qos: 1)
    }

    func publish(topic: String, _ text: String) throws {
        try broker.publish(topic: topic, payload: Array(text.utf8), qos: 1)
    }

    func getJSON(_ path: String) async throws -> [String: Any] {
        let (status, data) = try await HTTP.get("http://127.0.0.1:\(httpPort)\(path)")
        XCTAssertEqual(status, 200, path)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    func metrics() async throws -> String {
        let (_, data) = try await HTTP.get("http://127.0.0.1:\(httpPort)/metrics")
        return String(decoding: data, as: UTF8.self)
    }

    /// The value of one metric line, e.g. `anxin_messages_rejected_total{reason="unparsable"}`.
    func metric(_ line: String) async throws -> Double? {
        for l in try await metrics().split(separator: "\n") where l.hasPrefix(line + " ") {
            return Double(l.dropFirst(line.count + 1))
        }
        return nil
    }

    func alerts(state: String) async throws -> [[String: Any]] {
        (try await getJSON("/api/v1/alerts?state=\(state)")["alerts"] as? [[String: Any]]) ?? []
    }

    /// Polls until `check` holds or the deadline passes.
    func eventually(_ seconds: Double = 10, _ check: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return try await check()
    }

    /// Names, phone numbers, addresses and notes of the registry's residents and contacts.
    var personalStrings: [String] {
        var out: [String] = []
        for line in registryText.split(separator: "\n") {
            for key in ["name:", "phone:", "address:", "medical_notes:", "room:"] {
                var rest = Substring(line)
                while let r = rest.range(of: key) {
                    rest = rest[r.upperBound...]
                    let value = rest.prefix { $0 != "," && $0 != "}" }.trimmingCharacters(in: .whitespaces)
                        .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if value.count >= 2 { out.append(value) }
                }
            }
        }
        return out
    }

    /// Every integration test's gateway log is checked: no resident's or contact's personal data.
    func assertLogKeepsPrivacy(file: StaticString = #filePath, line: UInt = #line) {
        let log = gateway?.log ?? ""
        for s in personalStrings where log.contains(s) {
            XCTFail("the gateway log contains personal data (\(s.prefix(2))…)", file: file, line: line)
        }
    }

    func shutdown() async {
        assertLogKeepsPrivacy()
        gateway?.stop()
        try? broker.stop(.terminate)
        await hotline.stop()
        await hooks.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    static let registry = """
        residents:
          - id: R-0001
            name: 张桂兰
            bed: JN-KY-03-0302-1
            room: 3号楼302室
            address: 昆明市晋宁区昆阳街道月山社区3号楼302室
            phone: "13800000000"
            contacts: [{name: 李明, relation: 儿子, phone: "13900000000"}]
            care_level: 2
            flags: [lives_alone, dementia]
            devices: ["865067021234567"]
            home_zone: {lat: 24.6692, lon: 102.5958, radius_m: 300}
            medical_notes: 高血压, 青霉素过敏
            key_holder: {name: 邻居刘阿姨, phone: "13600000000"}
            sims: {"865067021234567": "14700000000"}
          - id: R-0002
            name: 王德明
            bed: JN-KY-03-0303-1
            room: 3号楼303室
            address: 昆明市晋宁区昆阳街道月山社区3号楼303室
            phone: "13800000001"
            contacts: [{name: 王芳, relation: 女儿, phone: "13900000001"}]
            care_level: 1
            flags: [lives_alone]
            devices: ["4700609403"]
          - id: R-0003
            name: 刘秀英
            bed: JN-KY-03-0304-1
            room: 3号楼304室
            address: 昆明市晋宁区昆阳街道月山社区3号楼304室
            phone: "13800000002"
            contacts: [{name: 刘强, relation: 儿子, phone: "13900000002"}]
            care_level: 3
            flags: []
            devices: ["352661090012345"]
        beds:
          - code: JN-KY-03-0302-1
            devices: ["201906078"]

        """
}

/// Runs the built `anxin` binary once and collects its exit status and output.
func runAnxin(_ args: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: GatewayProcess.builtBinary())
    p.arguments = args
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
