import AnxinCore

/// The compiled rules: parsed and checked once, indexed for the per-reading path.
///
/// Load it with ``load(path:)`` or ``load(text:path:)``; ``shipped`` holds the default rules.
public final class RuleSet: Sendable {
    /// Rules in evaluation order: a rule that suppresses another comes before it.
    let definitions: [RuleDefinition]
    /// Longest gap between readings that still counts as consecutive (ms).
    let maxGap: Int64
    /// Threshold rules by `ReadingKind.rawValue`, in evaluation order.
    let thresholdRulesByKind: [[Int]]
    /// Kinds (a bit by `ReadingKind.rawValue`) judged by a device-scoped threshold rule: a reading of any
    /// other kind is judged without asking each rule its scope.
    let deviceScopedThresholdKinds: UInt32
    /// Kinds (a bit by `ReadingKind.rawValue`) whose every threshold rule is resident-scoped and that no
    /// other rule judges (not in bed, not a location): a run of such readings of a resident is judged in
    /// one visit of the resident's state (the message variant of ``RuleEngine/observe(_:context:into:)``).
    let residentOnlyKinds: UInt32
    /// Rules fired by an event, by `EventKind.rawValue`, in evaluation order.
    let rulesByEvent: [[Int]]
    /// Event rules cleared by something other than staff.
    let selfClearingEventRules: [Int]
    let geofenceRules: [Int]
    let bedExitRules: [Int]
    let silenceRule: Int?
    let outageRule: Int?
    /// Names of the rules that suppress a rule, by rule name.
    let suppressors: [String: [String]]
    /// Index of each rule by name.
    let indexByName: [String: Int]

    /// Effective escalation chain by rule name.
    let chains: [String: [EscalationStep]]
    /// Line of the first mention of each notify target in the file.
    let targetLines: [String: Int]

    /// Rule names in file order.
    public let ruleNames: [String]
    /// Every notify target the escalation chains name, sorted: those written in the file, `oncall` when a
    /// default chain uses it and `hotline` when an `escalate_after` adds it. The gateway checks each one
    /// that is not in ``EscalationStep/builtInTargets`` against its `notify.groups`.
    public let notifyTargets: [String]

    init(definitions fileOrder: [RuleDefinition], maxGap: Int64, escalation: EscalationConfig = EscalationConfig()) {
        ruleNames = fileOrder.map(\.name)
        var chains: [String: [EscalationStep]] = [:]
        var targets = Set(escalation.targetLines.keys)
        for def in fileOrder {
            let chain = escalation.effectiveChain(for: def)
            chains[def.name] = chain
            for step in chain { targets.formUnion(step.notify) }
        }
        self.chains = chains
        targetLines = escalation.targetLines
        notifyTargets = targets.sorted()
        // Suppressors first; the loader has rejected cycles.
        var ordered: [RuleDefinition] = []
        var placed = Set<String>()
        var remaining = fileOrder
        while !remaining.isEmpty {
            let before = remaining.count
            remaining.removeAll { def in
                let blockers = fileOrder.filter { $0.suppresses.contains(def.name) && !placed.contains($0.name) }
                guard blockers.isEmpty else { return false }
                ordered.append(def)
                placed.insert(def.name)
                return true
            }
            if remaining.count == before {
                ordered.append(contentsOf: remaining)
                break
            }
        }
        definitions = ordered
        self.maxGap = maxGap
        var byKind = [[Int]](repeating: [], count: ReadingKind.allCases.count)
        var byEvent = [[Int]](repeating: [], count: EventKind.allCases.count)
        var selfClearing: [Int] = []
        var geofence: [Int] = []
        var bed: [Int] = []
        var silence: Int?
        var outage: Int?
        var sup: [String: [String]] = [:]
        var index: [String: Int] = [:]
        for (i, def) in ordered.enumerated() {
            index[def.name] = i
            for lower in def.suppresses { sup[lower, default: []].append(def.name) }
            switch def.logic {
            case .event(let events, let clearedBy):
                for e in events { byEvent[Int(e.rawValue)].append(i) }
                if clearedBy != .staff { selfClearing.append(i) }
            case .threshold(let measures, let events):
                for m in measures { byKind[Int(m.kind.rawValue)].append(i) }
                for e in events { byEvent[Int(e.rawValue)].append(i) }
            case .silence: silence = i
            case .outage: outage = i
            case .bedExit: bed.append(i)
            case .geofence: geofence.append(i)
            }
        }
        thresholdRulesByKind = byKind
        var deviceKinds: UInt32 = 0
        for (kind, list) in byKind.enumerated() where list.contains(where: { ordered[$0].scope == .device }) {
            deviceKinds |= 1 << UInt32(kind)
        }
        deviceScopedThresholdKinds = deviceKinds
        var residentKinds: UInt32 = 0
        for (kind, list) in byKind.enumerated()
        where kind != Int(ReadingKind.inBed.rawValue) && kind != Int(ReadingKind.location.rawValue)
            && list.allSatisfy({ ordered[$0].scope == .resident })
        {
            residentKinds |= 1 << UInt32(kind)
        }
        residentOnlyKinds = residentKinds
        rulesByEvent = byEvent
        selfClearingEventRules = selfClearing
        geofenceRules = geofence
        bedExitRules = bed
        silenceRule = silence
        outageRule = outage
        suppressors = sup
        indexByName = index
    }

    func rule(named name: String) -> RuleDefinition? { indexByName[name].map { definitions[$0] } }

    /// The escalation chain an alert of this rule runs when it opens (empty for an unknown rule): the
    /// rule's own chain or its severity's, with `escalate_after` added as a hotline step.
    public func escalationChain(forRule name: String) -> [EscalationStep] { chains[name] ?? [] }

    /// Line of the rules file where a notify target is first named, for the gateway's diagnostics;
    /// nil for a target only implied (`oncall` of a default chain, `hotline` of `escalate_after`).
    public func line(ofTarget name: String) -> Int? { targetLines[name] }

    /// False for alerts that must never be silenced: rules named `sos` or `fall`, and any event rule fired
    /// by an sos or fall event.
    public func canSilence(rule name: String) -> Bool {
        if name == "sos" || name == "fall" { return false }
        guard let def = rule(named: name), case .event(let events, _) = def.logic else { return true }
        return !events.contains { $0 == .sos || $0 == .fall }
    }

    /// Every override key this rule set understands (`heart_rate_high`, `bp_high.systolic`, …), sorted.
    public var thresholdKeys: [String] {
        var keys: [String] = []
        for def in definitions {
            guard case .threshold(let measures, _) = def.logic else { continue }
            for m in measures {
                keys.append(m.qualifiedKey)
                if let s = m.shortKey { keys.append(s) }
            }
        }
        return keys.sorted()
    }

    /// Checks a resident's threshold overrides against these rules.
    ///
    /// - Returns: one message per problem (unknown key, not a number, or a limit that overlaps its
    ///   rule's clear limit, e.g. a heart_rate_high below 120); empty when all are usable.
    ///   The engine ignores an override that fails here and keeps the rule's own limit.
    public func validate(thresholds: [String: Double]) -> [String] {
        var problems: [String] = []
        for key in thresholds.keys.sorted() {
            let value = thresholds[key]!
            guard let measure = measure(forKey: key) else {
                problems.append("unknown threshold '\(key)' (known: \(thresholdKeys.joined(separator: ", ")))")
                continue
            }
            guard value.isFinite else {
                problems.append("threshold \(key) must be a finite number")
                continue
            }
            let candidate = measure.fire.with(value: value)
            if !MeasureLimits.separates(fire: candidate, clear: measure.clear) {
                let side = measure.fire.comparison.isUpward ? "below" : "above"
                problems.append(
                    "threshold \(key) = \(RuleSet.format(value)) is \(side) its clear limit "
                        + "(clears when \(measure.clear)), so the alert could never stay open")
            }
        }
        return problems
    }

    func measure(forKey key: String) -> MeasureLimits? {
        for def in definitions {
            guard case .threshold(let measures, _) = def.logic else { continue }
            for m in measures where m.qualifiedKey == key || m.shortKey == key { return m }
        }
        return nil
    }

    /// A number as written in files: `131`, `7.5`.
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
