import AnxinCore
import XCTest

@testable import Rules

final class EscalationFileTests: XCTestCase {
    func diagnostics(_ text: String) -> [String] {
        do {
            _ = try RuleSet.load(text: text, path: "/etc/anxin/rules.yaml")
            XCTFail("expected a load error")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    static let oneRule = """
        rules:
          heart_rate_high:
            type: threshold
            fires: {heart_rate: ">= 131"}
            clears: {heart_rate: "< 120"}
            severity: urgent
            route: staff

        """

    func testBadStepsAreReportedWithExactLines() {
        let text =
            Self.oneRule + """
                escalation:
                  severity:
                    urgent:
                      - {after: 0s, notify: [oncall], repeat: 5m, colour: red}
                      - {after: 10m, notify: []}
                      - {after: 5m, notify: [supervisor]}
                      - {after: soon, notify: [Night Shift]}
                      - {after: 20m, notify: [hotline], repeat: 10m}
                      - {after: 25m, notify: [oncall, oncall], repeat: 10s}
                    severe: []
                  rules:
                    heart_rate_hihg:
                      - {after: 0s, notify: [oncall]}
                    heart_rate_high:
                      - notify: [oncall]
                      - {after: 1m}
                    sos: nobody
                  colour: red
                """
        XCTAssertEqual(
            diagnostics(text),
            [
                "/etc/anxin/rules.yaml:11: unknown key 'colour' in escalation.severity.urgent step 1 (allowed: after, notify, repeat)",
                "/etc/anxin/rules.yaml:12: escalation.severity.urgent step 2: notify must name at least one target",
                "/etc/anxin/rules.yaml:13: escalation.severity.urgent step 3: after 5m is earlier than the step before (10m); steps must be in time order",
                "/etc/anxin/rules.yaml:14: escalation.severity.urgent step 4: after: 'soon' is not a duration (write 30s, 2m, 1h, 1h30m)",
                "/etc/anxin/rules.yaml:14: escalation.severity.urgent step 4: notify target 'Night Shift' must be lowercase letters, digits, '_' and '-'",
                "/etc/anxin/rules.yaml:15: escalation.severity.urgent step 5: a step that notifies only the hotline has nothing to repeat",
                "/etc/anxin/rules.yaml:16: escalation.severity.urgent step 6: notify names a target twice",
                "/etc/anxin/rules.yaml:16: escalation.severity.urgent step 6: repeat must be at least 30s",
                "/etc/anxin/rules.yaml:17: escalation.severity: unknown severity 'severe' (one of critical, urgent, warning, info)",
                "/etc/anxin/rules.yaml:19: escalation.rules: unknown rule 'heart_rate_hihg'",
                "/etc/anxin/rules.yaml:22: escalation.rules.heart_rate_high step 1: missing key 'after'",
                "/etc/anxin/rules.yaml:23: escalation.rules.heart_rate_high step 2: missing key 'notify'",
                "/etc/anxin/rules.yaml:24: escalation.rules: unknown rule 'sos'",
                "/etc/anxin/rules.yaml:25: unknown key 'colour' in escalation (allowed: severity, rules)",
            ])
    }

    func testChainsMustBeListsAndSectionsMappings() {
        XCTAssertEqual(
            diagnostics(Self.oneRule + "escalation: [oncall]\n"),
            ["/etc/anxin/rules.yaml:8: 'escalation' must be a mapping with the keys severity and rules"])
        XCTAssertEqual(
            diagnostics(
                Self.oneRule + "escalation:\n  severity: {urgent: {after: 0s, notify: [oncall]}}\n  rules: []\n"),
            [
                "/etc/anxin/rules.yaml:9: escalation.severity.urgent must be a list of steps, e.g. [{after: 0s, notify: [oncall], repeat: 5m}]",
                "/etc/anxin/rules.yaml:10: escalation.rules must map a rule name to a list of steps",
            ])
    }

    func testARuleWithItsOwnMistakeIsNotAlsoUnknownToEscalation() {
        let text = """
            rules:
              a: {type: event, events: [sos], severity: critical, route: pager}
            escalation:
              rules:
                a: [{after: 0s, notify: [oncall]}]
            """
        XCTAssertEqual(
            diagnostics(text), ["/etc/anxin/rules.yaml:2: rule a: bad route 'pager' (one of staff, hotline)"])
    }

    func testAValidSectionLoads() throws {
        let text =
            Self.oneRule + """
                escalation:
                  severity:
                    critical: []
                    urgent:
                      - {after: 0s, notify: oncall, repeat: 30s}
                      - {after: 0s, notify: [ward-3_night]}
                      - {after: 1h30m, notify: [ward-3_night, hotline], repeat: 1h}
                """
        let rules = try RuleSet.load(text: text, path: "x.yaml")
        XCTAssertEqual(
            rules.escalationChain(forRule: "heart_rate_high"),
            [
                EscalationStep(after: 0, notify: ["oncall"], repeatEvery: 30 * second),
                EscalationStep(after: 0, notify: ["ward-3_night"]),
                EscalationStep(after: 90 * minute, notify: ["ward-3_night", "hotline"], repeatEvery: 60 * minute),
            ])
        XCTAssertEqual(rules.notifyTargets, ["hotline", "oncall", "ward-3_night"])
        XCTAssertEqual(rules.line(ofTarget: "ward-3_night"), 13)
    }

    func testWithoutAnEscalationKeyTheDefaultChainsApply() throws {
        let rules = try RuleSet.load(text: Self.oneRule, path: "x.yaml")
        XCTAssertEqual(rules.escalationChain(forRule: "heart_rate_high"), EscalationStep.defaultChain(for: .urgent))
        XCTAssertEqual(rules.notifyTargets, ["oncall"])
        XCTAssertNil(rules.line(ofTarget: "oncall"))
    }
}
