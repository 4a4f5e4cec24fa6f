import AnxinTesting
import Foundation
import Gateway
import XCTest

/// The binary's built-in profiles must be exactly the shipped DeviceProfiles files.
final class EmbeddedDefaultsTests: XCTestCase {
    func testEmbeddedProfilesMatchDeviceProfilesFolder() throws {
        let dir = GatewayProcess.repositoryRoot().appendingPathComponent("DeviceProfiles")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        XCTAssertEqual(
            EmbeddedDefaults.profiles.map { ($0.path as NSString).lastPathComponent }, files,
            "run Scripts/embed-defaults.sh")
        for (path, text) in EmbeddedDefaults.profiles {
            let name = (path as NSString).lastPathComponent
            var onDisk = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            if onDisk.hasSuffix("\n") { onDisk.removeLast() }
            XCTAssertEqual(text, onDisk, "\(name) differs from the embedded copy: run Scripts/embed-defaults.sh")
        }
    }

    func testEmbeddedBoardMatchesTheBoardFolder() throws {
        let root = GatewayProcess.repositoryRoot()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [root.appendingPathComponent("Scripts/embed-board.sh").path, "--stdout"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let generated = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let checkedIn = try Data(contentsOf: root.appendingPathComponent("Sources/StaffAPI/BoardAssets.swift"))
        XCTAssertEqual(generated, checkedIn, "Board/ changed: run Scripts/embed-board.sh")
    }

    func testNotifyChannelsAndGroupsAreCheckedStrictly() {
        let text = """
            notify:
              channels:
                ward: {type: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"}
                sup: {type: dingtalk}
                app: {type: mqtt, topic: "anxin/#"}
                hook: {type: webhook, url: "http://127.0.0.1:9000/x"}
              groups:
                oncall: [ward, nobody]
            http: {listen: "0.0.0.0:8349", anonymous_role: viewer}
            hotline: {url: "http://127.0.0.1:1/x", updates_url: "http://127.0.0.1:1/u"}

            """
        XCTAssertThrowsError(try GatewayConfig.parse(text: text, path: "/etc/anxin/anxin.yaml")) { error in
            let lines = (error as? ConfigError)?.problems.map(\.description) ?? []
            for expected in [
                "anxin.yaml:3: channel ward: a robot webhook URL holds its key",
                "anxin.yaml:4: channel sup: url_file is required",
                "anxin.yaml:5: channel app: topic must be a plain topic",
                "anxin.yaml:8: group oncall: no channel named 'nobody'",
                "anonymous_role must be none when listen is not a loopback address",
                "updates_url must contain {id}",
            ] {
                XCTAssertTrue(lines.contains { $0.contains(expected) }, "\(expected) not in \(lines)")
            }
        }
    }

    func testEscalationTargetsMustBeConfiguredGroups() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anxin-esc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let shipped = try String(
            contentsOf: GatewayProcess.repositoryRoot().appendingPathComponent("Config/rules.yaml"), encoding: .utf8)
        let rules = shipped.replacingOccurrences(
            of: "  rules: {}", with: "  rules:\n    sos:\n      - {after: 0s, notify: [oncall, supervisor]}")
        try rules.write(to: dir.appendingPathComponent("rules.yaml"), atomically: true, encoding: .utf8)
        let config = try GatewayConfig.parse(
            text: "rules: rules.yaml\n", path: dir.appendingPathComponent("a.yaml").path)
        let problems = GatewayCheck.problems(config: config).map(\.description)
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems.first?.contains("rules.yaml:") ?? false, "\(problems)")
        XCTAssertTrue(problems.first?.contains("escalation target 'supervisor'") ?? false, "\(problems)")
    }

    func testExampleConfigPassesCheck() throws {
        let path = GatewayProcess.repositoryRoot().appendingPathComponent("Config/anxin.example.yaml").path
        let config = try GatewayConfig.load(path: path)
        XCTAssertEqual(GatewayCheck.problems(config: config).map(\.description), [])
        XCTAssertEqual(config.gatewayID, "jinning-01")
        XCTAssertEqual(config.utcOffsetSeconds, 8 * 3600)
    }

    func testConfigProblemsCarryPathAndLine() {
        let text = "gateway_id: x\nmqtt:\n  port: 99999\n  hostt: a\nhttp: {listen: nonsense}\n"
        XCTAssertThrowsError(try GatewayConfig.parse(text: text, path: "/etc/anxin/anxin.yaml")) { error in
            let lines = (error as? ConfigError)?.problems.map(\.description) ?? []
            XCTAssertEqual(lines.count, 3, "\(lines)")
            XCTAssertTrue(
                lines.contains { $0.hasPrefix("/etc/anxin/anxin.yaml:3: ") && $0.contains("99999") }, "\(lines)")
            XCTAssertTrue(
                lines.contains { $0.hasPrefix("/etc/anxin/anxin.yaml:4: ") && $0.contains("unknown key 'hostt'") },
                "\(lines)")
            XCTAssertTrue(lines.contains { $0.hasPrefix("/etc/anxin/anxin.yaml:5: ") }, "\(lines)")
        }
    }
}
