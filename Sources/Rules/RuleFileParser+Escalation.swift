import AnxinCore
import Yams

extension RuleFileParser {
    static let escalationKeys = ["severity", "rules"]
    static let stepKeys = ["after", "notify", "repeat"]

    /// The top-level `escalation` key: chains per severity and per rule.
    mutating func escalationChains(_ node: Node, ruleNames: Set<String>) -> EscalationConfig {
        var config = EscalationConfig()
        guard let map = node.mapping else {
            problem(node, "'escalation' must be a mapping with the keys severity and rules")
            return config
        }
        for (key, value) in map {
            switch key.string {
            case "severity":
                guard let chains = value.mapping else {
                    problem(value, "escalation.severity must map a severity to a list of steps")
                    continue
                }
                for (k, v) in chains {
                    guard let severity = k.string.flatMap(Severity.init(name:)) else {
                        problem(
                            k,
                            "escalation.severity: unknown severity '\(k.string ?? "")' (one of critical, urgent, warning, info)"
                        )
                        continue
                    }
                    config.severity[severity] = chain(v, "escalation.severity.\(severity.name)", &config.targetLines)
                }
            case "rules":
                guard let chains = value.mapping else {
                    problem(value, "escalation.rules must map a rule name to a list of steps")
                    continue
                }
                for (k, v) in chains {
                    guard let name = k.string, ruleNames.contains(name) else {
                        problem(k, "escalation.rules: unknown rule '\(k.string ?? "")'")
                        continue
                    }
                    config.rules[name] = chain(v, "escalation.rules.\(name)", &config.targetLines)
                }
            default: unknownKey(key, in: "escalation", allowed: Self.escalationKeys)
            }
        }
        return config
    }

    /// A list of steps in time order. A step with a mistake is reported and left out.
    mutating func chain(_ node: Node, _ what: String, _ targetLines: inout [String: Int]) -> [EscalationStep] {
        guard let items = node.sequence else {
            problem(node, "\(what) must be a list of steps, e.g. [{after: 0s, notify: [oncall], repeat: 5m}]")
            return []
        }
        var steps: [EscalationStep] = []
        var previous: (after: Int64, text: String)?
        for (i, item) in items.enumerated() {
            let place = "\(what) step \(i + 1)"
            let before = diagnostics.count
            guard let map = item.mapping else {
                problem(item, "\(place) must be a mapping with after, notify and optionally repeat")
                continue
            }
            for (k, _) in map where !Self.stepKeys.contains(k.string ?? "") {
                unknownKey(k, in: place, allowed: Self.stepKeys)
            }
            var after: Int64?
            if let n = map["after"] {
                after = duration(n, "\(place): after")
                if let a = after, let p = previous, a < p.after {
                    problem(
                        n,
                        "\(place): after \(n.string ?? "") is earlier than the step before (\(p.text)); steps must be in time order"
                    )
                }
                if let a = after { previous = (a, n.string ?? "") }
            } else {
                problem(item, "\(place): missing key 'after'")
            }
            var targets: [String] = []
            if let n = map["notify"] {
                targets = names(n, "\(place): notify")
                if targets.isEmpty, n.sequence != nil { problem(n, "\(place): notify must name at least one target") }
                for t in targets where !EscalationStep.isTargetName(t) {
                    problem(n, "\(place): notify target '\(t)' must be lowercase letters, digits, '_' and '-'")
                }
                if Set(targets).count != targets.count { problem(n, "\(place): notify names a target twice") }
                for t in targets where targetLines[t] == nil { targetLines[t] = n.mark?.line ?? 1 }
            } else {
                problem(item, "\(place): missing key 'notify'")
            }
            var every: Int64?
            if let n = map["repeat"] {
                every = duration(n, "\(place): repeat")
                if let e = every, e < EscalationStep.shortestRepeat {
                    problem(n, "\(place): repeat must be at least 30s")
                }
                if targets == [EscalationStep.hotline] {
                    problem(n, "\(place): a step that notifies only the hotline has nothing to repeat")
                }
            }
            guard diagnostics.count == before, let after else { continue }
            steps.append(EscalationStep(after: after, notify: targets, repeatEvery: every))
        }
        return steps
    }
}
