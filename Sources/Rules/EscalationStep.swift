import AnxinCore

/// One step of an escalation chain: who is told how long after an alert opened, and how often again
/// until staff acknowledge it (rules file key `escalation`).
public struct EscalationStep: Sendable, Hashable, Codable {
    /// Wall-clock milliseconds after the alert opened.
    public var after: Int64
    /// Target names: ``hotline``, ``oncall`` or a group the gateway config defines under `notify.groups`.
    public var notify: [String]
    /// Reminder interval in milliseconds, until the alert is acknowledged or the next step fires;
    /// nil: the step fires once.
    public var repeatEvery: Int64?

    public init(after: Int64, notify: [String], repeatEvery: Int64? = nil) {
        self.after = after
        self.notify = notify
        self.repeatEvery = repeatEvery
    }

    /// The target that stands for the 12349 hotline incident (sent once per alert).
    public static let hotline = "hotline"
    /// The target that stands for the built-in on-call group.
    public static let oncall = "oncall"
    /// Targets the gateway knows without a `notify.groups` entry.
    public static let builtInTargets: Set<String> = [hotline, oncall]
    /// The shortest reminder interval a rules file may ask for (30 s).
    public static let shortestRepeat: Int64 = 30_000

    /// Who a reminder of this step goes to: its targets without the hotline, whose incident is sent once.
    var reminderTargets: [String] { notify.filter { $0 != Self.hotline } }

    /// The chain of a severity the rules file does not list: the on-call group at once, reminded every
    /// 2 min (critical) or 5 min (urgent), once (warning), nobody (info).
    public static func defaultChain(for severity: Severity) -> [EscalationStep] {
        switch severity {
        case .critical: [EscalationStep(after: 0, notify: [oncall], repeatEvery: 2 * 60_000)]
        case .urgent: [EscalationStep(after: 0, notify: [oncall], repeatEvery: 5 * 60_000)]
        case .warning: [EscalationStep(after: 0, notify: [oncall])]
        case .info: []
        }
    }

    /// A target name: lowercase letters, digits, `_` and `-`.
    static func isTargetName(_ s: String) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 }
    }
}

/// The `escalation` section of a rules file as written.
struct EscalationConfig: Sendable {
    /// Chains of the severities the file lists.
    var severity: [Severity: [EscalationStep]] = [:]
    /// Chains of single rules, replacing their severity's chain.
    var rules: [String: [EscalationStep]] = [:]
    /// Line of the first mention of each target name.
    var targetLines: [String: Int] = [:]

    /// The chain a rule runs: its own, else its severity's (listed or default), with `escalate_after`
    /// added as a hotline step at its place in time unless the chain already has one.
    func effectiveChain(for def: RuleDefinition) -> [EscalationStep] {
        var chain = rules[def.name] ?? severity[def.severity] ?? EscalationStep.defaultChain(for: def.severity)
        if def.route == .staff, let after = def.escalateAfter,
            !chain.contains(where: { $0.notify.contains(EscalationStep.hotline) })
        {
            let at = chain.firstIndex { $0.after > after } ?? chain.count
            chain.insert(EscalationStep(after: after, notify: [EscalationStep.hotline]), at: at)
        }
        return chain
    }
}
