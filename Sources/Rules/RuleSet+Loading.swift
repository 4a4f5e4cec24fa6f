import AnxinCore
import Foundation
import Yams

extension RuleSet {
    /// Reads and compiles a rules file.
    ///
    /// - Throws: ``RuleLoadError`` listing every problem as `path:line: message`; the caller keeps its
    ///   running rule set.
    public static func load(path: String) throws(RuleLoadError) -> RuleSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleLoadError(diagnostics: [
                RuleDiagnostic(path: path, line: 1, message: "cannot read the rules file")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuleLoadError(diagnostics: [
                RuleDiagnostic(path: path, line: 1, message: "the rules file is not UTF-8")
            ])
        }
        return try load(text: text, path: path)
    }

    /// Compiles rules from text; `path` only names the source in diagnostics.
    public static func load(text: String, path: String) throws(RuleLoadError) -> RuleSet {
        var parser = RuleFileParser(path: path)
        let result = parser.parse(text)
        if let result, parser.diagnostics.isEmpty { return result }
        let sorted = parser.diagnostics.enumerated().sorted {
            ($0.element.line, $0.offset) < ($1.element.line, $1.offset)
        }.map(\.element)
        throw RuleLoadError(
            diagnostics: sorted.isEmpty
                ? [RuleDiagnostic(path: path, line: 1, message: "no rules")] : sorted)
    }
}

/// Turns the YAML tree of a rules file into rule definitions, collecting every problem.
struct RuleFileParser {
    let path: String
    var diagnostics: [RuleDiagnostic] = []

    static let topKeys = ["max_gap", "rules", "escalation"]
    static let commonKeys = ["type", "severity", "route", "escalate_after", "suppresses"]
    static let typeKeys: [String: [String]] = [
        "event": ["events", "cleared_by", "per"],
        "threshold": ["fires", "clears", "for", "events", "per"],
        "silence": ["after", "heard_within"],
        "outage": ["share", "heard_within", "together", "min_devices"],
        "bed_exit": ["night", "grace"],
        "geofence": ["for"],
    ]

    init(path: String) { self.path = path }

    mutating func problem(_ node: Node?, _ message: String) {
        diagnostics.append(RuleDiagnostic(path: path, line: node?.mark?.line ?? 1, message: message))
    }

    mutating func parse(_ text: String) -> RuleSet? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            diagnostics.append(RuleDiagnostic(path: path, line: Self.line(of: error), message: Self.message(of: error)))
            return nil
        } catch {
            diagnostics.append(RuleDiagnostic(path: path, line: 1, message: "not valid YAML"))
            return nil
        }
        guard let root, let top = root.mapping else {
            problem(root, "the rules file must be a mapping with a 'rules' key")
            return nil
        }
        var maxGap: Int64 = 5 * 60_000
        var rulesNode: Node?
        var escalationNode: Node?
        for (key, value) in top {
            switch key.string {
            case "max_gap": if let d = duration(value, "max_gap") { maxGap = d }
            case "rules": rulesNode = value
            case "escalation": escalationNode = value
            default: unknownKey(key, in: "the rules file", allowed: Self.topKeys)
            }
        }
        guard let rulesNode else {
            problem(root, "missing key 'rules'")
            return nil
        }
        guard let rulesMap = rulesNode.mapping else {
            problem(rulesNode, "'rules' must be a mapping of rule name to rule")
            return nil
        }
        var defs: [RuleDefinition] = []
        var suppressNodes: [String: Node] = [:]
        for (key, value) in rulesMap {
            guard let name = key.string, Self.isName(name) else {
                problem(key, "a rule name must be lowercase letters, digits and '_'")
                continue
            }
            if let def = rule(name: name, key: key, value) {
                defs.append(def)
                if let s = value.mapping?["suppresses"] { suppressNodes[name] = s }
            }
        }
        checkRelations(defs, suppressNodes: suppressNodes)
        // Every rule name written counts, so a rule with a mistake of its own is not also "unknown" here.
        let declared = Set(rulesMap.compactMap { $0.key.string })
        let chains = escalationNode.map { escalationChains($0, ruleNames: declared) } ?? EscalationConfig()
        return RuleSet(definitions: defs, maxGap: maxGap, escalation: chains)
    }

    // MARK: - One rule

    mutating func rule(name: String, key: Node, _ node: Node) -> RuleDefinition? {
        guard let map = node.mapping else {
            problem(node, "rule \(name) must be a mapping")
            return nil
        }
        guard let typeNode = map["type"] else {
            problem(
                key, "rule \(name): missing key 'type' (one of \(Self.typeKeys.keys.sorted().joined(separator: ", ")))")
            return nil
        }
        guard let type = typeNode.string, let extra = Self.typeKeys[type] else {
            problem(
                typeNode,
                "rule \(name): unknown type '\(typeNode.string ?? "")' (one of \(Self.typeKeys.keys.sorted().joined(separator: ", ")))"
            )
            return nil
        }
        let allowed = Self.commonKeys + extra
        for (k, _) in map where !allowed.contains(k.string ?? "") {
            unknownKey(k, in: "rule \(name) (type \(type))", allowed: allowed)
        }
        let before = diagnostics.count
        let severity = required(map, key, name, "severity").flatMap { n -> Severity? in
            guard let s = n.string.flatMap(Severity.init(name:)) else {
                problem(n, "rule \(name): bad severity '\(n.string ?? "")' (one of critical, urgent, warning, info)")
                return nil
            }
            return s
        }
        let route = required(map, key, name, "route").flatMap { n -> RuleRoute? in
            guard let r = n.string.flatMap(RuleRoute.init(rawValue:)) else {
                problem(n, "rule \(name): bad route '\(n.string ?? "")' (one of staff, hotline)")
                return nil
            }
            return r
        }
        var escalateAfter: Int64?
        if let n = map["escalate_after"] {
            escalateAfter = duration(n, "rule \(name): escalate_after")
            if route == .hotline {
                problem(n, "rule \(name): escalate_after needs route: staff (hotline is already at once)")
            }
            if let e = escalateAfter, e <= 0 { problem(n, "rule \(name): escalate_after must be more than 0") }
        }
        var scope: RuleScope = .resident
        if let n = map["per"] {
            switch n.string {
            case "resident": scope = .resident
            case "device": scope = .device
            default: problem(n, "rule \(name): bad per '\(n.string ?? "")' (one of resident, device)")
            }
        }
        var runFor: Int64 = 0
        if let n = map["for"], let d = duration(n, "rule \(name): for") { runFor = d }
        let suppresses = map["suppresses"].map { names($0, "rule \(name): suppresses") } ?? []

        let logic: RuleLogic?
        switch type {
        case "event": logic = eventLogic(map, key, name)
        case "threshold": logic = thresholdLogic(map, key, name)
        case "silence":
            scope = .device
            let after = required(map, key, name, "after").flatMap { duration($0, "rule \(name): after") }
            let within = required(map, key, name, "heard_within").flatMap { duration($0, "rule \(name): heard_within") }
            logic = after.flatMap { a in within.map { .silence(after: a, heardWithin: $0) } }
        case "outage":
            logic = outageLogic(map, key, name)
            scope = .gateway
        case "bed_exit": logic = bedExitLogic(map, key, name)
        default: logic = .geofence
        }
        guard diagnostics.count == before, let logic, let severity, let route else { return nil }
        return RuleDefinition(
            name: name, logic: logic, severity: severity, route: route, escalateAfter: escalateAfter,
            duration: runFor, scope: scope, suppresses: suppresses, line: key.mark?.line ?? 1)
    }

    mutating func eventLogic(_ map: Node.Mapping, _ key: Node, _ name: String) -> RuleLogic? {
        let events = required(map, key, name, "events").map { eventKinds($0, name) } ?? []
        var clearance = EventClearance.staff
        if let n = map["cleared_by"] {
            if let c = n.string.flatMap(EventClearance.init(rawValue:)) {
                clearance = c
            } else {
                problem(n, "rule \(name): bad cleared_by '\(n.string ?? "")' (one of staff, vital_sign, data)")
            }
        }
        return events.isEmpty ? nil : .event(events: events, clearedBy: clearance)
    }

    mutating func thresholdLogic(_ map: Node.Mapping, _ key: Node, _ name: String) -> RuleLogic? {
        guard let firesNode = required(map, key, name, "fires"), let clearsNode = required(map, key, name, "clears")
        else { return nil }
        guard let fires = firesNode.mapping, !fires.isEmpty else {
            problem(firesNode, "rule \(name): fires must map a reading kind to a limit, e.g. {heart_rate: \">= 131\"}")
            return nil
        }
        guard let clears = clearsNode.mapping else {
            problem(clearsNode, "rule \(name): clears must map a reading kind to a limit, e.g. {heart_rate: \"< 120\"}")
            return nil
        }
        var measures: [MeasureLimits] = []
        var upward: Bool?
        for (k, v) in fires {
            guard let kindName = k.string, let kind = ReadingKind(name: kindName), kind != .location else {
                problem(k, "rule \(name): '\(k.string ?? "")' is not a numeric reading kind")
                continue
            }
            guard let fire = limit(v, name) else { continue }
            if let u = upward, u != fire.comparison.isUpward {
                problem(v, "rule \(name): all fire limits must point the same way (all >= / > or all <= / <)")
            }
            upward = fire.comparison.isUpward
            guard let clearNode = clears[kindName] else {
                problem(clearsNode, "rule \(name): clears has no limit for \(kindName)")
                continue
            }
            guard let clear = limit(clearNode, name) else { continue }
            if clear.comparison.isUpward == fire.comparison.isUpward {
                problem(
                    clearNode,
                    "rule \(name): the clear limit of \(kindName) must point the other way from its fire limit")
            } else if !MeasureLimits.separates(fire: fire, clear: clear) {
                problem(clearNode, "rule \(name): \(kindName) fires at \(fire) but clears at \(clear); they overlap")
            }
            measures.append(
                MeasureLimits(
                    kind: kind, fire: fire, clear: clear, qualifiedKey: "\(name).\(kindName)",
                    shortKey: fires.count == 1 ? name : nil))
        }
        for (k, _) in clears where fires[k.string ?? ""] == nil {
            problem(k, "rule \(name): clears names \(k.string ?? "") but fires does not")
        }
        let events = map["events"].map { eventKinds($0, name) } ?? []
        return .threshold(measures: measures, events: events)
    }

    mutating func outageLogic(_ map: Node.Mapping, _ key: Node, _ name: String) -> RuleLogic? {
        let share = required(map, key, name, "share").flatMap { n -> Double? in
            guard let v = n.string.flatMap(Double.init), v > 0, v < 1 else {
                problem(n, "rule \(name): share must be a fraction between 0 and 1, e.g. 0.2")
                return nil
            }
            return v
        }
        let within = required(map, key, name, "heard_within").flatMap { duration($0, "rule \(name): heard_within") }
        let together = map["together"].flatMap { duration($0, "rule \(name): together") } ?? 5 * 60_000
        var minDevices = 3
        if let n = map["min_devices"] {
            if let v = n.string.flatMap(Int.init), v >= 1 {
                minDevices = v
            } else {
                problem(n, "rule \(name): min_devices must be a whole number of at least 1")
            }
        }
        guard let share, let within else { return nil }
        return .outage(share: share, heardWithin: within, together: together, minDevices: minDevices)
    }

    mutating func bedExitLogic(_ map: Node.Mapping, _ key: Node, _ name: String) -> RuleLogic? {
        let grace = required(map, key, name, "grace").flatMap { duration($0, "rule \(name): grace") }
        let window = required(map, key, name, "night").flatMap { n -> (Int, Int)? in
            let parts = (n.string ?? "").split(separator: "-").map { Self.clockMinutes(String($0)) }
            guard parts.count == 2, let from = parts[0], let to = parts[1], from != to else {
                problem(n, "rule \(name): night must be a local time window like \"22:00-06:00\"")
                return nil
            }
            return (from, to)
        }
        guard let grace, let window else { return nil }
        return .bedExit(nightFrom: window.0, nightTo: window.1, grace: grace)
    }

    // MARK: - Relations between rules

    mutating func checkRelations(_ defs: [RuleDefinition], suppressNodes: [String: Node]) {
        let byName = Dictionary(defs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var silence: [RuleDefinition] = []
        var outage: [RuleDefinition] = []
        for def in defs {
            if case .silence = def.logic { silence.append(def) }
            if case .outage = def.logic { outage.append(def) }
            for lower in def.suppresses {
                guard let other = byName[lower] else {
                    problem(suppressNodes[def.name], "rule \(def.name): suppresses unknown rule '\(lower)'")
                    continue
                }
                if other.scope != def.scope || lower == def.name {
                    problem(
                        suppressNodes[def.name],
                        "rule \(def.name): can only suppress another rule of the same subject (per \(def.scope.rawValue))"
                    )
                }
            }
        }
        for extra in silence.dropFirst() {
            diagnostics.append(diag(extra.line, "rule \(extra.name): only one silence rule is allowed"))
        }
        for extra in outage.dropFirst() {
            diagnostics.append(diag(extra.line, "rule \(extra.name): only one outage rule is allowed"))
        }
        if let o = outage.first, silence.isEmpty {
            diagnostics.append(diag(o.line, "rule \(o.name): an outage rule needs a silence rule to stand in for"))
        }
        // Suppression cycles would leave no evaluation order.
        var visiting = Set<String>()
        var done = Set<String>()
        func cyclic(_ name: String) -> Bool {
            if done.contains(name) { return false }
            if visiting.contains(name) { return true }
            visiting.insert(name)
            defer { visiting.remove(name); done.insert(name) }
            return (byName[name]?.suppresses ?? []).contains { cyclic($0) }
        }
        for def in defs where cyclic(def.name) {
            diagnostics.append(diag(def.line, "rule \(def.name): suppresses form a cycle"))
            break
        }
    }

    // MARK: - Scalars

    func diag(_ line: Int, _ message: String) -> RuleDiagnostic {
        RuleDiagnostic(path: path, line: line, message: message)
    }

    mutating func unknownKey(_ key: Node, in place: String, allowed: [String]) {
        problem(key, "unknown key '\(key.string ?? "")' in \(place) (allowed: \(allowed.joined(separator: ", ")))")
    }

    mutating func required(_ map: Node.Mapping, _ key: Node, _ name: String, _ field: String) -> Node? {
        if let n = map[field] { return n }
        problem(key, "rule \(name): missing key '\(field)'")
        return nil
    }

    mutating func duration(_ node: Node, _ what: String) -> Int64? {
        guard let text = node.string, let ms = Self.parseDuration(text) else {
            problem(node, "\(what): '\(node.string ?? "")' is not a duration (write 30s, 2m, 1h, 1h30m)")
            return nil
        }
        return ms
    }

    mutating func limit(_ node: Node, _ name: String) -> Limit? {
        let text = (node.string ?? "").trimmingCharacters(in: .whitespaces)
        for op in [Limit.Comparison.atLeast, .atMost, .above, .below] where text.hasPrefix(op.rawValue) {
            let rest = text.dropFirst(op.rawValue.count).trimmingCharacters(in: .whitespaces)
            if let v = Double(rest), v.isFinite { return Limit(op, v) }
            break
        }
        problem(node, "rule \(name): '\(text)' is not a limit (write \">= 131\", \"< 120\", \"<= 15\", \"> 45\")")
        return nil
    }

    mutating func names(_ node: Node, _ what: String) -> [String] {
        if let s = node.string { return [s] }
        guard let seq = node.sequence else {
            problem(node, "\(what) must be a name or a list of names")
            return []
        }
        return seq.compactMap { item in
            guard let s = item.string else {
                problem(item, "\(what) must list names")
                return nil
            }
            return s
        }
    }

    mutating func eventKinds(_ node: Node, _ name: String) -> [EventKind] {
        names(node, "rule \(name): events").compactMap { s in
            guard let e = EventKind(name: s) else {
                problem(
                    node,
                    "rule \(name): unknown event '\(s)' (one of \(EventKind.allCases.map(\.name).joined(separator: ", ")))"
                )
                return nil
            }
            return e
        }
    }

    /// `30s`, `2m`, `1h`, `1h30m`, `1d`, `0s` → milliseconds.
    static func parseDuration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64?
        var sawUnit = false
        for c in text.trimmingCharacters(in: .whitespaces) {
            if let d = c.wholeNumberValue, c.isASCII {
                number = (number ?? 0) * 10 + Int64(d)
                guard number! < 1_000_000 else { return nil }
                continue
            }
            let unit: Int64
            switch c {
            case "s": unit = 1000
            case "m": unit = 60_000
            case "h": unit = 3_600_000
            case "d": unit = 86_400_000
            default: return nil
            }
            guard let n = number else { return nil }
            total += n * unit
            number = nil
            sawUnit = true
        }
        return sawUnit && number == nil ? total : nil
    }

    /// `HH:MM` → minutes of the day.
    static func clockMinutes(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            (0...23).contains(h), (0...59).contains(m)
        else { return nil }
        return h * 60 + m
    }

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: 1
        }
    }

    static func message(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            "YAML: \(problem)"
        case .duplicatedKeysInMapping(let duplicates, _): "duplicate key '\(duplicates.joined(separator: "', '"))'"
        default: "not valid YAML"
        }
    }
}
