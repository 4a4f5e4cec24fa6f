import AnxinTesting
import Foundation
import XCTest

/// `anxin decode` and `anxin check` as operators run them.
final class CommandLineTests: XCTestCase {
    func run(_ args: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
        try runAnxin(args, stdin: stdin)
    }

    func testDecodePrintsNormalizedReadingsAsJSONLines() throws {
        let m = try GatewayHarness.deviceMessage("imede-vitals")
        let r = try run(["decode", "--topic", m.topic], stdin: Data(m.payload))
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(
            lines.first,
            #"{"device": "865067021234567", "profile": "imede-watch", "kind": "heart_rate", "value": 78, "at": "2026-11-22T00:15:30Z", "flags": []}"#
        )
        XCTAssertTrue(lines.contains { $0.contains(#""kind": "location""#) && $0.contains(#""datum": "wgs84""#) })
    }

    func testDecodeRejectsWithAOneLineReason() throws {
        let m = try GatewayHarness.deviceMessage("bad-truncated")
        let r = try run(["decode", "--topic", m.topic], stdin: Data(m.payload))
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.out, "")
        XCTAssertTrue(r.err.hasPrefix("rejected (unparsable)"), r.err)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1)
        let none = try run(["decode", "--topic", "no/such/topic"], stdin: Data("{}".utf8))
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.err.hasPrefix("rejected (no_profile)"), none.err)
    }

    func testDecodeListsSentinelsOnStderr() throws {
        let m = try GatewayHarness.deviceMessage("bad-sentinels")
        let r = try run(["decode", "--topic", m.topic], stdin: Data(m.payload))
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains(#""kind": "battery", "value": 64"#), r.out)
        XCTAssertFalse(r.out.contains("heart_rate"))
        XCTAssertTrue(r.err.contains("heart_rate"), r.err)
    }

    func testCheckReportsEveryProblemWithPathAndLine() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "anxin-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "residents:\n  - id: R-1\n    name: A\n    colour: blue\n".write(
            to: dir.appendingPathComponent("registry.yaml"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("anxin.yaml").path
        try "gateway_id: x\nregistry: registry.yaml\nmqtt:\n  port: 0\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let r = try run(["check", "--config", config])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.out.contains("\(config):4: ") || r.err.contains("\(config):4: "), r.out + r.err)
        let good = dir.appendingPathComponent("good.yaml").path
        try "gateway_id: x\nregistry: registry.yaml\n".write(toFile: good, atomically: true, encoding: .utf8)
        let r2 = try run(["check", "--config", good])
        XCTAssertEqual(r2.status, 1)
        XCTAssertTrue(r2.out.contains(dir.appendingPathComponent("registry.yaml").path + ":4: "), r2.out)
        let example = GatewayProcess.repositoryRoot().appendingPathComponent("Config/anxin.example.yaml").path
        let r3 = try run(["check", "--config", example])
        XCTAssertEqual(r3.status, 0, r3.out + r3.err)
    }
}
