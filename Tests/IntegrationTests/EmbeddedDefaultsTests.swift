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
