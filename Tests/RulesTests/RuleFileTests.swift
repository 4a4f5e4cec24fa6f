import AnxinCore
import Foundation
import XCTest

@testable import Rules

final class RuleFileTests: XCTestCase {
    func diagnostics(_ text: String) -> [String] {
        do {
            _ = try RuleSet.load(text: text, path: "/etc/anxin/rules.yaml")
            XCTFail("expected a load error")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func testUnknownKeyAndBadSeverityAreReportedWithExactLines() {
        let text = """
            max_gap: 5m
            rules:
              sos:
                type: event
                events: [sos]
                severity: critical
                route: hotline
              heart_rate_high:
                type: threshold
                fires: {heart_rate: ">= 131"}
                clears: {heart_rate: "< 120"}
                for: 2m
                severity: urgnet
                route: staff
                escalate_afterr: 5m
            """
        XCTAssertEqual(
            diagnostics(text),
            [
                "/etc/anxin/rules.yaml:13: rule heart_rate_high: bad severity 'urgnet' (one of critical, urgent, warning, info)",
                "/etc/anxin/rules.yaml:15: unknown key 'escalate_afterr' in rule heart_rate_high (type threshold) (allowed: type, severity, route, escalate_after, suppresses, fires, clears, for, events, per)",
            ])
    }

    func testEveryProblemIsListedAtOnce() {
        let text = """
            colour: red
            rules:
              a:
                type: threshold
                fires: {heart_rate: ">= 100"}
                clears: {heart_rate: "< 110"}
                severity: urgent
                route: pager
              b:
                type: event
                events: [sos, meteor]
                severity: info
                route: hotline
                escalate_after: 5m
              c:
                type: silence
                after: 30
                heard_within: 24h
                severity: warning
                route: staff
                suppresses: nothing
            """
        XCTAssertEqual(
            diagnostics(text),
            [
                "/etc/anxin/rules.yaml:1: unknown key 'colour' in the rules file (allowed: max_gap, rules, escalation)",
                "/etc/anxin/rules.yaml:6: rule a: heart_rate fires at >= 100 but clears at < 110; they overlap",
                "/etc/anxin/rules.yaml:8: rule a: bad route 'pager' (one of staff, hotline)",
                "/etc/anxin/rules.yaml:11: rule b: unknown event 'meteor' (one of sos, fall, bed_exit, not_worn, low_battery, power_off)",
                "/etc/anxin/rules.yaml:14: rule b: escalate_after needs route: staff (hotline is already at once)",
                "/etc/anxin/rules.yaml:17: rule c: after: '30' is not a duration (write 30s, 2m, 1h, 1h30m)",
            ])
    }

    func testUnknownSuppressedRuleAndMissingType() {
        let text = """
            rules:
              a:
                type: threshold
                fires: {spo2: "<= 85"}
                clears: {spo2: ">= 90"}
                severity: critical
                route: hotline
                suppresses: [spo2_lowish]
              b:
                severity: info
            """
        XCTAssertEqual(
            diagnostics(text),
            [
                "/etc/anxin/rules.yaml:8: rule a: suppresses unknown rule 'spo2_lowish'",
                "/etc/anxin/rules.yaml:9: rule b: missing key 'type' (one of bed_exit, event, geofence, outage, silence, threshold)",
            ])
    }

    func testYamlSyntaxErrorAndDuplicateKeyCarryALine() {
        XCTAssertEqual(
            diagnostics("rules:\n  sos:\n    type: [event\n"),
            ["/etc/anxin/rules.yaml:4: YAML: did not find expected ',' or ']'"])
        let dup = diagnostics("rules:\n  sos:\n    type: event\n    type: event\n")
        XCTAssertEqual(dup.count, 1)
        XCTAssertTrue(dup[0].hasPrefix("/etc/anxin/rules.yaml:3: duplicate key 'type'"), dup[0])
    }

    func testLoadFromAMissingFile() {
        do {
            _ = try RuleSet.load(path: "/nonexistent/rules.yaml")
            XCTFail("expected a load error")
        } catch {
            XCTAssertEqual(
                error.diagnostics.map(\.description), ["/nonexistent/rules.yaml:1: cannot read the rules file"])
        }
    }

    func testLoadFromAFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anxin-rules-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("rules.yaml")
        try RuleSet.shippedText.write(to: file, atomically: true, encoding: .utf8)
        let rules = try RuleSet.load(path: file.path)
        XCTAssertEqual(rules.ruleNames, RuleSet.shipped.ruleNames)
    }

    func testShippedRulesCoverSpecSection6() {
        XCTAssertEqual(
            RuleSet.shipped.ruleNames,
            [
                "sos", "fall", "not_worn", "power_off", "heart_rate_high", "heart_rate_low", "bp_crisis", "bp_high",
                "bp_low",
                "spo2_critical", "spo2_low", "low_battery", "device_silent", "ingest_outage", "bed_exit_night",
                "geofence_exit",
            ])
    }

    func testShippedTextIsTheConfigFile() throws {
        // Tests/RulesTests/<this file> -> Config/rules.yaml in the main repository.
        let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let config = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/rules.yaml")
        let onDisk = try String(contentsOf: config, encoding: .utf8)
        XCTAssertEqual(
            RuleSet.shippedText + "\n", onDisk, "Config/rules.yaml and RuleSet.shippedText must be the same text")
    }

    func testDurations() {
        XCTAssertEqual(RuleFileParser.parseDuration("30s"), 30_000)
        XCTAssertEqual(RuleFileParser.parseDuration("2m"), 120_000)
        XCTAssertEqual(RuleFileParser.parseDuration("1h30m"), 5_400_000)
        XCTAssertEqual(RuleFileParser.parseDuration("1d"), 86_400_000)
        XCTAssertNil(RuleFileParser.parseDuration("30"))
        XCTAssertNil(RuleFileParser.parseDuration("m"))
        XCTAssertNil(RuleFileParser.parseDuration("2 min"))
    }

    func testTriggerJSON() {
        XCTAssertEqual(Trigger.event(.sos).json, "{\"event\": \"sos\"}")
        XCTAssertEqual(Trigger.reading(.systolic, 230).json, "{\"kind\": \"systolic\", \"value\": 230}")
    }
}
