import AnxinCore
import Foundation
import XCTest

@testable import Rules

final class EscalationTests: XCTestCase {
    /// Opens heart_rate_high at t0 + 2 min (wall clock = receive time).
    func openHeartRateAlert(_ h: Harness) -> Decision {
        h.tick(t0)
        let d = h.series(.heartRate, 150, from: t0, to: t0 + 2 * minute)
        XCTAssertEqual(d.count, 1)
        return d[0]
    }

    func testUnacknowledgedEscalatesOnceAfterFiveMinutes() {
        let h = Harness()
        let open = openHeartRateAlert(h)
        XCTAssertEqual(h.tick(t0 + 7 * minute - 1), [])
        let esc = h.tick(t0 + 7 * minute)
        XCTAssertEqual(
            esc,
            [
                Decision(
                    action: .escalate, alertID: open.alertID, rule: "heart_rate_high", severity: .urgent,
                    residentID: "R-0001",
                    device: "watch-1", trigger: .reading(.heartRate, 150), occurredAt: t0 + 2 * minute, toHotline: true,
                    step: 1, targets: ["hotline"])
            ])
        XCTAssertEqual(h.tick(t0 + 8 * minute), [])
        XCTAssertEqual(h.tick(t0 + 60 * minute).filter { $0.action == .escalate }, [])
    }

    func testAcknowledgedBeforeDoesNotEscalate() {
        let h = Harness()
        let open = openHeartRateAlert(h)
        XCTAssertTrue(h.engine.acknowledge(alertID: open.alertID, at: t0 + 4 * minute))
        XCTAssertEqual(h.tick(t0 + 7 * minute), [])
        XCTAssertEqual(h.tick(t0 + 20 * minute), [])
    }

    func testAcknowledgeAndResolveUnknownOrResolved() {
        let h = Harness()
        XCTAssertFalse(h.engine.acknowledge(alertID: "nope", at: t0))
        let open = openHeartRateAlert(h)
        XCTAssertTrue(h.engine.resolve(alertID: open.alertID, at: t0 + 3 * minute))
        XCTAssertFalse(h.engine.acknowledge(alertID: open.alertID, at: t0 + 4 * minute))
        XCTAssertFalse(h.engine.resolve(alertID: open.alertID, at: t0 + 4 * minute))
        XCTAssertEqual(h.tick(t0 + 10 * minute), [], "a resolved alert never escalates")
    }

    func testStaffResolveDoesNotReopenTheSameRunButANewRunOpens() {
        let h = Harness()
        let open = openHeartRateAlert(h)
        XCTAssertTrue(h.engine.resolve(alertID: open.alertID, at: t0 + 150 * second))
        XCTAssertEqual(h.series(.heartRate, 150, from: t0 + 130 * second, to: t0 + 5 * minute), [])
        h.reading(.heartRate, 125, at: t0 + 310 * second)
        let again = h.series(.heartRate, 150, from: t0 + 320 * second, to: t0 + 440 * second)
        XCTAssertEqual(again.map(\.summary), ["open heart_rate_high urgent"])
        XCTAssertEqual(again.map(\.alertID), ["A2"])
    }

    // MARK: - Escalation chains

    /// heart_rate_high opens on one reading; urgent alerts run oncall → supervisor → supervisor and hotline.
    static let chainRules = """
        rules:
          sos:
            type: event
            events: [sos]
            severity: critical
            route: hotline
          fall:
            type: event
            events: [fall]
            severity: critical
            route: hotline
          heart_rate_high:
            type: threshold
            fires: {heart_rate: ">= 131"}
            clears: {heart_rate: "< 120"}
            severity: urgent
            route: staff
          low_battery:
            type: threshold
            fires: {battery: "<= 15"}
            clears: {battery: ">= 20"}
            per: device
            severity: info
            route: staff
        escalation:
          severity:
            urgent:
              - {after: 0s, notify: [oncall], repeat: 2m}
              - {after: 5m, notify: [supervisor], repeat: 3m}
              - {after: 15m, notify: [supervisor, hotline]}
        """

    func chainHarness() throws -> Harness {
        Harness(rules: try RuleSet.load(text: Self.chainRules, path: "chain.yaml"), staffNotices: true)
    }

    /// Opens heart_rate_high at t0 (received at t0).
    func openUrgent(_ h: Harness) -> String {
        let d = h.reading(.heartRate, 150, at: t0)
        XCTAssertEqual(d.map(\.summary), ["open heart_rate_high urgent"], "no step in the open's own decisions")
        return d.first?.alertID ?? ""
    }

    /// "step.reminder targets" of each escalation, e.g. "1.0 supervisor".
    func steps(_ decisions: [Decision]) -> [String] {
        decisions.map { d in
            d.action == .escalate
                ? "\(d.step ?? -1).\(d.reminder) \(d.targets.joined(separator: ","))\(d.toHotline ? " !" : "")"
                : d.summary
        }
    }

    func testUnacknowledgedUrgentAlertStepsToSupervisorThenHotline() throws {
        let h = try chainHarness()
        let id = openUrgent(h)
        let first = h.tick(t0)
        XCTAssertEqual(steps(first), ["0.0 oncall"], "after: 0s fires on the next tick")
        XCTAssertEqual(first.first?.alertID, id)
        XCTAssertEqual(first.first?.occurredAt, t0)
        XCTAssertEqual(first.first?.trigger, .reading(.heartRate, 150))
        XCTAssertEqual(steps(h.tick(t0 + 2 * minute - 1)), [])
        XCTAssertEqual(steps(h.tick(t0 + 2 * minute)), ["0.1 oncall"])
        XCTAssertEqual(steps(h.tick(t0 + 4 * minute)), ["0.2 oncall"])
        XCTAssertEqual(steps(h.tick(t0 + 5 * minute - 1)), [], "not before its delay")
        XCTAssertEqual(steps(h.tick(t0 + 5 * minute)), ["1.0 supervisor"])
        XCTAssertEqual(steps(h.tick(t0 + 6 * minute)), [], "the on-call reminders stop once the next step fired")
        XCTAssertEqual(steps(h.tick(t0 + 8 * minute)), ["1.1 supervisor"])
        XCTAssertEqual(steps(h.tick(t0 + 11 * minute)), ["1.2 supervisor"])
        XCTAssertEqual(steps(h.tick(t0 + 14 * minute)), ["1.3 supervisor"])
        XCTAssertEqual(steps(h.tick(t0 + 15 * minute - 1)), [])
        XCTAssertEqual(steps(h.tick(t0 + 15 * minute)), ["2.0 supervisor,hotline !"])
        XCTAssertEqual(steps(h.tick(t0 + 60 * minute)), [], "the last step does not repeat")
        XCTAssertEqual(h.decisions.filter(\.toHotline).count, 1)
    }

    func testAcknowledgedInBetweenNoLaterStepFires() throws {
        let h = try chainHarness()
        let id = openUrgent(h)
        XCTAssertEqual(steps(h.tick(t0)), ["0.0 oncall"])
        XCTAssertEqual(steps(h.tick(t0 + 5 * minute)), ["1.0 supervisor"])
        XCTAssertTrue(h.engine.acknowledge(alertID: id, at: t0 + 6 * minute))
        for m in [8, 11, 15, 30, 60] {
            XCTAssertEqual(steps(h.tick(t0 + EpochMillis(m) * minute)), [], "minute \(m)")
        }
        // Still unresolved, and updates do not restart the chain.
        XCTAssertEqual(
            h.reading(.heartRate, 150, at: t0 + 61 * minute).map(\.summary), ["update heart_rate_high urgent"])
        XCTAssertEqual(steps(h.tick(t0 + 80 * minute)), [])
    }

    func testRemindersRepeatAtTheIntervalAndStopAtAcknowledgement() throws {
        let h = try chainHarness()
        let id = openUrgent(h)
        var fired: [String] = []
        for s in stride(from: 0, through: 270, by: 30) { fired += steps(h.tick(t0 + EpochMillis(s) * second)) }
        XCTAssertEqual(fired, ["0.0 oncall", "0.1 oncall", "0.2 oncall"])
        XCTAssertTrue(h.engine.acknowledge(alertID: id, at: t0 + 270 * second))
        for s in stride(from: 300, through: 1200, by: 30) {
            XCTAssertEqual(h.tick(t0 + EpochMillis(s) * second), [], "second \(s)")
        }
    }

    func testMissedRemindersAreNotSentInABurst() throws {
        let h = try chainHarness()
        _ = openUrgent(h)
        XCTAssertEqual(steps(h.tick(t0)), ["0.0 oncall"])
        // No tick from 0 to 4.5 min (the pipeline was busy or down): one reminder, numbered by the schedule.
        XCTAssertEqual(steps(h.tick(t0 + 270 * second)), ["0.2 oncall"])
        XCTAssertEqual(steps(h.tick(t0 + 299 * second)), [])
        // Down across both later steps: they fire in order, then the schedule goes on.
        XCTAssertEqual(steps(h.tick(t0 + 16 * minute)), ["1.0 supervisor", "2.0 supervisor,hotline !"])
        XCTAssertEqual(steps(h.tick(t0 + 30 * minute)), [])
    }

    func testRestartInTheMiddleKeepsTheSchedule() throws {
        let a = try chainHarness()
        let id = openUrgent(a)
        var store: [String: [UInt8]] = [:]
        func drain() {
            for (key, blob) in a.engine.drainChangedState() {
                if let blob { store[key] = blob } else { store.removeValue(forKey: key) }
            }
        }
        XCTAssertEqual(steps(a.tick(t0)), ["0.0 oncall"])
        XCTAssertEqual(steps(a.tick(t0 + 5 * minute)), ["1.0 supervisor"])
        XCTAssertEqual(steps(a.tick(t0 + 8 * minute)), ["1.1 supervisor"])
        drain()

        for saved in [store, a.engine.exportState()] {
            let b = try chainHarness()
            b.engine.restoreState(saved)
            XCTAssertEqual(b.engine.unresolvedAlertIDs, [id])
            XCTAssertEqual(steps(b.tick(t0 + 9 * minute)), [], "nothing fires twice")
            XCTAssertEqual(steps(b.tick(t0 + 11 * minute)), ["1.2 supervisor"])
            XCTAssertEqual(steps(b.tick(t0 + 14 * minute)), ["1.3 supervisor"])
            XCTAssertEqual(steps(b.tick(t0 + 15 * minute - 1)), [])
            let hotline = b.tick(t0 + 15 * minute)
            XCTAssertEqual(steps(hotline), ["2.0 supervisor,hotline !"])
            XCTAssertEqual(hotline.first?.alertID, id)
            XCTAssertEqual(steps(b.tick(t0 + 30 * minute)), [])
        }

        // Acknowledged before the restart: nothing is left to fire after it.
        XCTAssertTrue(a.engine.acknowledge(alertID: id, at: t0 + 9 * minute))
        drain()
        let c = try chainHarness()
        c.engine.restoreState(store)
        XCTAssertEqual(steps(c.tick(t0 + 15 * minute)), [])
    }

    func testReloadedRulesDoNotChangeAScheduleInProgress() throws {
        let h = try chainHarness()
        _ = openUrgent(h)
        XCTAssertEqual(steps(h.tick(t0)), ["0.0 oncall"])
        h.engine.replace(rules: try RuleSet.load(text: "rules: {}", path: "empty.yaml"))
        XCTAssertEqual(steps(h.tick(t0 + 5 * minute)), ["1.0 supervisor"])
    }

    func testSilencedAlertGetsNoSteps() throws {
        let h = try chainHarness()
        let id = openUrgent(h)
        XCTAssertTrue(h.engine.silence(alertID: id))
        for m in [0, 2, 5, 15, 60] { XCTAssertEqual(h.tick(t0 + EpochMillis(m) * minute), [], "minute \(m)") }
        XCTAssertFalse(h.engine.silence(alertID: "nope"))
        // A restart does not bring the steps back.
        let b = try chainHarness()
        b.engine.restoreState(h.engine.exportState())
        XCTAssertEqual(b.tick(t0 + 90 * minute), [])
    }

    func testSosAndFallCannotBeSilenced() throws {
        let h = try chainHarness()
        let open = h.event(.sos, at: t0)
        XCTAssertEqual(open.map(\.summary), ["open sos critical hotline"])
        XCTAssertFalse(h.engine.silence(alertID: open[0].alertID))
        // Critical is not listed in this file: the default chain, on-call now and every 2 min.
        XCTAssertEqual(steps(h.tick(t0)), ["0.0 oncall"])
        XCTAssertEqual(steps(h.tick(t0 + 2 * minute)), ["0.1 oncall"])
        let fall = h.event(.fall, at: t0 + 3 * minute)
        XCTAssertFalse(h.engine.silence(alertID: fall[0].alertID))
        XCTAssertEqual(steps(h.tick(t0 + 3 * minute)), ["0.0 oncall"])

        let rules = try RuleSet.load(text: Self.chainRules, path: "chain.yaml")
        XCTAssertFalse(rules.canSilence(rule: "sos"))
        XCTAssertFalse(rules.canSilence(rule: "fall"))
        XCTAssertTrue(rules.canSilence(rule: "heart_rate_high"))
        let renamed = try RuleSet.load(
            text: "rules:\n  panic_button: {type: event, events: [sos], severity: critical, route: hotline}\n",
            path: "renamed.yaml")
        XCTAssertFalse(renamed.canSilence(rule: "panic_button"), "an sos event rule by any name")
    }

    func testResolveCancelsEverything() throws {
        let h = try chainHarness()
        let id = openUrgent(h)
        XCTAssertEqual(steps(h.tick(t0)), ["0.0 oncall"])
        XCTAssertTrue(h.engine.resolve(alertID: id, at: t0 + minute))
        XCTAssertEqual(h.tick(t0 + 30 * minute), [])
        // Cleared by the rule itself, the same.
        let again = h.reading(.heartRate, 150, at: t0 + 31 * minute)
        XCTAssertEqual(again.map(\.summary), ["open heart_rate_high urgent"])
        XCTAssertEqual(steps(h.tick(t0 + 31 * minute)), ["0.0 oncall"])
        XCTAssertEqual(
            h.reading(.heartRate, 100, at: t0 + 32 * minute).map(\.summary), ["resolve heart_rate_high urgent"])
        XCTAssertEqual(h.tick(t0 + 60 * minute), [])
    }

    func testInfoHasNoStepsAndAnAlertOpenedByATickStepsOnTheNextTick() throws {
        let h = Harness(staffNotices: true)
        h.tick(t0)
        h.reading(.battery, 10, at: t0)
        XCTAssertEqual(steps(h.tick(t0 + second)), [], "info: no chain")
        // device_silent (warning) opens in a tick; its step fires on the next one, once.
        for m in 1...29 { h.tick(t0 + EpochMillis(m) * minute) }
        XCTAssertEqual(steps(h.tick(t0 + 30 * minute)), ["open device_silent warning"])
        XCTAssertEqual(steps(h.tick(t0 + 30 * minute + second)), ["0.0 oncall"])
        XCTAssertEqual(steps(h.tick(t0 + 90 * minute)), [])
    }

    func testShippedChainsKeepSpecSection6() {
        let rules = RuleSet.shipped
        let oncall = EscalationStep.oncall
        let hotline = EscalationStep.hotline
        XCTAssertEqual(
            rules.escalationChain(forRule: "sos"), [.init(after: 0, notify: [oncall], repeatEvery: 2 * minute)])
        XCTAssertEqual(
            rules.escalationChain(forRule: "heart_rate_high"),
            [.init(after: 0, notify: [oncall], repeatEvery: 5 * minute), .init(after: 5 * minute, notify: [hotline])])
        XCTAssertEqual(
            rules.escalationChain(forRule: "heart_rate_low"), rules.escalationChain(forRule: "heart_rate_high"))
        XCTAssertEqual(
            rules.escalationChain(forRule: "geofence_exit"),
            [.init(after: 0, notify: [oncall], repeatEvery: 5 * minute), .init(after: 10 * minute, notify: [hotline])])
        XCTAssertEqual(rules.escalationChain(forRule: "device_silent"), [.init(after: 0, notify: [oncall])])
        XCTAssertEqual(rules.escalationChain(forRule: "low_battery"), [])
        XCTAssertEqual(rules.escalationChain(forRule: "nope"), [])
        XCTAssertEqual(rules.notifyTargets, ["hotline", "oncall"])
        for name in rules.ruleNames where rules.rule(named: name)?.route == .hotline {
            XCTAssertFalse(
                rules.escalationChain(forRule: name).contains { $0.notify.contains(hotline) },
                "\(name) reaches the hotline by its route, not by a step")
        }
    }

    func testEscalateAfterTakesItsPlaceInTime() throws {
        let text = """
            rules:
              a: {type: event, events: [bed_exit], severity: urgent, route: staff, escalate_after: 7m}
              b: {type: event, events: [not_worn], severity: urgent, route: staff, escalate_after: 7m}
            escalation:
              rules:
                a:
                  - {after: 0s, notify: [oncall]}
                  - {after: 10m, notify: [supervisor]}
                b:
                  - {after: 0s, notify: [oncall]}
                  - {after: 20m, notify: [hotline]}
            """
        let rules = try RuleSet.load(text: text, path: "x.yaml")
        XCTAssertEqual(rules.escalationChain(forRule: "a").map(\.after), [0, 7 * minute, 10 * minute])
        XCTAssertEqual(rules.escalationChain(forRule: "a")[1].notify, ["hotline"])
        XCTAssertEqual(
            rules.escalationChain(forRule: "b").map(\.after), [0, 20 * minute], "already has a hotline step")
        XCTAssertEqual(rules.notifyTargets, ["hotline", "oncall", "supervisor"])
        XCTAssertEqual(rules.line(ofTarget: "supervisor"), 8)
        XCTAssertEqual(rules.line(ofTarget: "oncall"), 7)
        XCTAssertNil(rules.line(ofTarget: "nobody"))
    }

    func testStateSavedBeforeChainsKeepsItsHotlineEscalation() throws {
        let a = Harness()
        let open = openHeartRateAlert(a)
        // Rewrite the saved alert as the engine before escalation chains stored it.
        var saved = a.engine.exportState()
        let pool = LatestPool()
        var st = try XCTUnwrap(StateCodec.decodeSubject(saved["subject:R-0001"] ?? [], latestIn: pool))
        var rec = try XCTUnwrap(st.alerts["heart_rate_high"])
        rec.escalation = nil
        rec.escalateAt = t0 + 7 * minute
        rec.escalated = false
        st.alerts["heart_rate_high"] = rec
        saved["subject:R-0001"] = [UInt8](
            try JSONEncoder().encode(SubjectStateJSON(st, latest: a.engine.latestValues(of: "R-0001"))))

        let b = Harness()
        b.engine.restoreState(saved)
        XCTAssertEqual(b.tick(t0 + 7 * minute - 1), [])
        XCTAssertEqual(b.tick(t0 + 7 * minute).map(\.summary), ["escalate heart_rate_high urgent hotline"])
        XCTAssertEqual(b.decisions.first?.alertID, open.alertID)
        XCTAssertEqual(b.tick(t0 + 20 * minute), [])
    }
}
