import AnxinCore
import XCTest

@testable import Rules

/// A message's observations judged in one call (``RuleEngine/observe(_:context:into:)-(ArraySlice)``, as the
/// pipeline does) decide exactly what judging them one by one decides.
final class MessageBatchTests: XCTestCase {
    static func engine() -> RuleEngine {
        var n = 0
        return RuleEngine(rules: .shipped, utcOffsetSeconds: chinaOffset) {
            n += 1
            return "A\(n)"
        }
    }

    /// Values around the shipped rules' limits, so alerts open, update and clear.
    static func value(_ kind: ReadingKind, _ rng: inout SplitMix64) -> ReadingValue {
        switch kind {
        case .heartRate: .number([45, 72, 81, 125, 140].randomElement(using: &rng)!)
        case .systolic: .number([110, 131, 165, 185, 200].randomElement(using: &rng)!)
        case .diastolic: .number([70, 84, 105, 125].randomElement(using: &rng)!)
        case .spo2: .number([84, 89, 93, 97].randomElement(using: &rng)!)
        case .bodyTemp: .number([36.6, 38.2, 39.5].randomElement(using: &rng)!)
        case .battery: .number([8, 14, 25, 80].randomElement(using: &rng)!)
        case .inBed, .worn: .bool(Bool.random(using: &rng))
        case .location:
            .location(Location(lat: 31.23 + Double(Int.random(in: 0..<3, using: &rng)) * 0.01, lon: 121.47))
        default: .number(Double(Int.random(in: 0..<200, using: &rng)))
        }
    }

    /// Everything the engine holds for its subjects and devices, in a fixed order.
    static func snapshot(_ e: RuleEngine) -> [String] {
        func latest(_ ref: LatestRef) -> String {
            e.latestPool.entries(ref).map { "\($0.0.name)=\($0.1.value)@\($0.1.at)" }.sorted().joined(separator: ",")
        }
        var out: [String] = []
        for (key, st) in e.subjects {
            out.append(
                "subject \(key) \(st.residentID ?? "-") waiting=\(st.waiting) latest[\(latest(st.latest))] "
                    + "progress\(st.progress.map { "\($0.key):\($0.value)" }) beds\(st.beds.map { "\($0)" }) "
                    + "alerts\(st.alerts.map { "\($0)" })")
        }
        for (id, d) in e.devices {
            out.append(
                "device \(id) \(d.residentID ?? "-") heard=\(d.lastHeard)/\(d.heardAtConnected) "
                    + "silent=\(d.silenceReported) waiting=\(d.waiting) latest[\(latest(d.latest))]")
        }
        return out.sorted()
    }

    /// Seeded (``SplitMix64``): the same seed gives the same messages, so a failure can be replayed.
    func testAMessageJudgedAtOnceDecidesAsItsObservationsOneByOne() {
        for seed in UInt64(1)...UInt64(25) {
            var rng = SplitMix64(seed: seed)
            let single = Self.engine()
            let batched = Self.engine()
            let devices = ["watch-1", "watch-2", "watch-3", "stray-9"]
            let contexts: [String: SubjectContext] = [
                "watch-1": SubjectContext(residentID: "R-1"),
                "watch-2": SubjectContext(
                    residentID: "R-2", thresholds: ["heart_rate_high": 110],
                    homeZone: HomeZone(lat: 31.23, lon: 121.47, radiusM: 500)),
                // A second device of the same resident.
                "watch-3": SubjectContext(residentID: "R-1"),
                "stray-9": .unbound,
            ]
            let kinds: [ReadingKind] = [
                .heartRate, .systolic, .diastolic, .spo2, .bodyTemp, .battery, .steps, .inBed, .worn, .location,
            ]
            var now = t0 + 23 * 3600 * 1000  // 07:00 local: the night window for bed exits
            for step in 0..<400 {
                now += EpochMillis(Int.random(in: 1...90, using: &rng)) * second
                if Int.random(in: 0..<25, using: &rng) == 0 {
                    var a: [Decision] = []
                    var b: [Decision] = []
                    single.tick(now: now, connected: true, into: &a)
                    batched.tick(now: now, connected: true, into: &b)
                    XCTAssertEqual(a, b, "seed \(seed) step \(step): tick")
                    continue
                }
                let device = devices.randomElement(using: &rng)!
                let ctx = contexts[device]!
                // A batch upload: samples of several kinds, some late, with a stray event among them.
                var message: [Observation] = []
                var measured = now - EpochMillis(Int.random(in: 0...600, using: &rng)) * second
                for _ in 0..<Int.random(in: 1...16, using: &rng) {
                    if Int.random(in: 0..<12, using: &rng) == 0 {
                        let kind = EventKind.allCases.randomElement(using: &rng)!
                        message.append(
                            .event(
                                DeviceEvent(
                                    device: device, profile: "test", kind: kind, measuredAt: measured, receivedAt: now)
                            ))
                    } else {
                        let kind = kinds.randomElement(using: &rng)!
                        message.append(
                            .reading(
                                Reading(
                                    device: device, profile: "test", kind: kind, value: Self.value(kind, &rng),
                                    measuredAt: measured, receivedAt: now)))
                    }
                    measured += EpochMillis(Int.random(in: -30...120, using: &rng)) * second
                }
                var a: [Decision] = []
                var b: [Decision] = []
                for o in message { single.observe(o, context: ctx, into: &a) }
                batched.observe(message[...], context: ctx, into: &b)
                XCTAssertEqual(a, b, "seed \(seed) step \(step): \(message.count) observations of \(device)")
                if a != b { return }
                // What each saves at the commit after the message: the same subjects and devices, what
                // must be saved at once and what waited its 5 minutes (the blobs hold alerts as JSON, whose
                // key order varies from one encoding to the next).
                let changedA = single.drainChangedState(monotonicNow: now, lazyWithin: 300_000).map(\.key).sorted()
                let changedB = batched.drainChangedState(monotonicNow: now, lazyWithin: 300_000).map(\.key).sorted()
                XCTAssertEqual(changedA, changedB, "seed \(seed) step \(step)")
                if step % 20 == 19 {
                    XCTAssertEqual(Self.snapshot(single), Self.snapshot(batched), "seed \(seed) step \(step)")
                }
            }
            XCTAssertEqual(Self.snapshot(single), Self.snapshot(batched), "seed \(seed)")
        }
    }

    /// The path this is for: a wristband's batch of vital signs is judged in one visit, and still opens
    /// the alert its samples call for.
    func testABatchOfVitalSignsOpensItsAlert() {
        let engine = Self.engine()
        let ctx = SubjectContext(residentID: "R-1")
        var message: [Observation] = []
        for i in 0..<12 {
            let at = t0 + EpochMillis(i) * minute
            for (kind, value) in [(ReadingKind.heartRate, 81.0), (.systolic, 200), (.diastolic, 125), (.spo2, 96)] {
                message.append(
                    .reading(
                        Reading(
                            device: "watch-1", profile: "test", kind: kind, value: .number(value), measuredAt: at,
                            receivedAt: t0 + 12 * minute)))
            }
        }
        var out: [Decision] = []
        engine.observe(message[...], context: ctx, into: &out)
        // The first sample's systolic 200 opens bp_high; its diastolic 125 then opens the crisis, which goes
        // to the hotline.
        let opened = out.filter { $0.action == .open }
        XCTAssertEqual(opened.map(\.rule), ["bp_high", "bp_crisis"], "\(out.map { ($0.action, $0.rule) })")
        XCTAssertEqual(opened.last?.toHotline, true)
        XCTAssertEqual(engine.latestValues(of: "R-1")[.systolic]?.at, t0 + 11 * minute)
    }
}
