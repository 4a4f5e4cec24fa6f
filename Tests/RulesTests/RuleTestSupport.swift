import AnxinCore
import XCTest

@testable import Rules

/// 2026-11-22T00:00:00Z, 08:00 local at +08:00.
let t0: EpochMillis = Timestamp.millis(year: 2026, month: 11, day: 22, hour: 0, minute: 0, second: 0)!
let second: EpochMillis = 1000
let minute: EpochMillis = 60_000
let chinaOffset = 8 * 3600

/// An engine on the shipped rules with ids A1, A2, … and a log of every decision.
///
/// Rule tests look at alerts and the hotline: unless `staffNotices` is true, escalation steps that only
/// notify staff (the shipped chains' `oncall` steps and reminders) are left out of what it returns;
/// EscalationTests look at them.
final class Harness {
    let engine: RuleEngine
    var decisions: [Decision] = []
    var context: SubjectContext
    let staffNotices: Bool

    init(
        rules: RuleSet = .shipped, context: SubjectContext = SubjectContext(residentID: "R-0001"),
        offset: Int = chinaOffset, staffNotices: Bool = false
    ) {
        var n = 0
        engine = RuleEngine(rules: rules, utcOffsetSeconds: offset) {
            n += 1
            return "A\(n)"
        }
        self.context = context
        self.staffNotices = staffNotices
    }

    func kept(_ out: [Decision]) -> [Decision] {
        staffNotices ? out : out.filter { $0.action != .escalate || $0.toHotline }
    }

    /// Feeds one reading measured (and received) at `at`; returns what it decided.
    @discardableResult
    func reading(_ kind: ReadingKind, _ value: Double, at: EpochMillis, device: String = "watch-1") -> [Decision] {
        let value: ReadingValue = kind == .inBed || kind == .worn ? .bool(value != 0) : .number(value)
        let r = Reading(device: device, profile: "test", kind: kind, value: value, measuredAt: at, receivedAt: at)
        return observe(.reading(r))
    }

    @discardableResult
    func location(lat: Double, lon: Double, at: EpochMillis, device: String = "watch-1") -> [Decision] {
        let r = Reading(
            device: device, profile: "test", kind: .location, value: .location(Location(lat: lat, lon: lon)),
            measuredAt: at, receivedAt: at)
        return observe(.reading(r))
    }

    @discardableResult
    func event(_ kind: EventKind, at: EpochMillis, device: String = "watch-1") -> [Decision] {
        observe(.event(DeviceEvent(device: device, profile: "test", kind: kind, measuredAt: at, receivedAt: at)))
    }

    @discardableResult
    func observe(_ o: Observation) -> [Decision] {
        var out: [Decision] = []
        engine.observe(o, context: context, into: &out)
        out = kept(out)
        decisions += out
        return out
    }

    @discardableResult
    func tick(_ now: EpochMillis, connected: Bool = true) -> [Decision] {
        var out: [Decision] = []
        engine.tick(now: now, connected: connected, into: &out)
        out = kept(out)
        decisions += out
        return out
    }

    /// Readings of one kind every `every` ms from `from` up to and including `to`; returns what they decided.
    @discardableResult
    func series(
        _ kind: ReadingKind, _ value: Double, from: EpochMillis, to: EpochMillis, every: EpochMillis = 10 * second
    )
        -> [Decision]
    {
        var out: [Decision] = []
        var t = from
        while t <= to {
            out += reading(kind, value, at: t)
            t += every
        }
        return out
    }
}

extension Decision {
    /// Short form for assertions: "open heart_rate_high urgent".
    var summary: String { "\(action) \(rule) \(severity.name)\(toHotline ? " hotline" : "")" }
}
