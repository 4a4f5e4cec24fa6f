import AnxinCore
import Yams

/// What field names mean while one message type is compiled.
final class MessageScope {
    /// Frame field names and their slots (nil for JSON profiles).
    var frameNames: [String: Int32]?
    var frameNameList: [String] = []
    var arrayID: Int32 = -1
    var arrayLabel = ""

    init(frameNames: [String: Int32]?) {
        self.frameNames = frameNames
    }
}

extension ProfileCompiler {
    /// One message type and the number of frame slots it uses.
    func message(_ node: Node, profileDevice: Node?) -> (MessageType, Int)? {
        guard let e = reader.mapping(node, "message", allowed: Self.messageKeys, required: ["name"]) else {
            return nil
        }
        let errorsBefore = reader.diagnostics.count
        let name = e["name"].flatMap { reader.string($0, "'name'") } ?? "?"
        var headerScope: [String: Int32] = [:]
        for (i, h) in headerNames.enumerated() where h != "_" { headerScope[h] = Int32(i) }
        let scope = MessageScope(frameNames: isFrame ? headerScope : nil)
        var slotCount = headerNames.count
        var layout = FrameLayout()
        var commands: [[UInt8]] = []

        if isFrame {
            if let n = e["fields"] { layout = frameLayout(n, scope, &slotCount) }
            if let n = e["command"] {
                for item in reader.list(n, "'command'") {
                    if let c = reader.string(item, "a command") { commands.append(Array(c.utf8)) }
                }
            }
        } else {
            for key in ["fields", "command"] where e[key] != nil {
                reader.error(e.keys[key], "'\(key)' is only for format: frame")
            }
        }
        var topic: TopicFilter?
        if let n = e["topic"], let s = reader.string(n, "'topic'") {
            switch TopicFilter.parse(s) {
            case .success(let f): topic = f
            case .failure(let err): reader.error(n, err.message)
            }
        }
        var conditions: [Condition] = []
        if let n = e["when"] {
            let whenScope = MessageScope(frameNames: isFrame ? headerScope : nil)
            conditions = self.conditions(n, whenScope)
            if whenScope.arrayID >= 0 {
                reader.error(n, "a message's 'when' cannot look inside an iterated array ('[]')")
            }
        }
        var device: (FieldSource, String)?
        if let n = e["device"] ?? profileDevice {
            device = source(n, "'device'", scope)
        } else {
            reader.error(node, "message '\(name)' has no device id: give 'device' in the profile or the message")
        }
        var time: TimeRule?
        if let n = e["time"] { time = timeRule(n, scope) }
        var readings: [ReadingRule] = []
        var readingNodes: [Node] = []
        if let n = e["readings"] {
            if let seq = n.sequence {
                for item in seq {
                    if let r = reading(item, scope) {
                        readings.append(r)
                        readingNodes.append(item)
                    }
                }
            } else {
                reader.error(n, "'readings' must be a list")
            }
        }
        var events: [EventRule] = []
        if let n = e["events"] {
            if let seq = n.sequence {
                for item in seq { if let ev = event(item, scope) { events.append(ev) } }
            } else {
                reader.error(n, "'events' must be a list")
            }
        }
        if scope.arrayID >= 0 {
            for (r, n) in zip(readings, readingNodes) {
                let valueRef = r.location?.lat.slotRef ?? r.source.slotRef
                if valueRef?.isElement != true {
                    reader.error(
                        n, "message '\(name)' iterates '\(scope.arrayLabel)': each reading must come from inside it")
                }
            }
        }
        guard reader.diagnostics.count == errorsBefore, let device else { return nil }
        let m = MessageType(
            name: name, topic: topic, commands: commands, conditions: conditions, device: device.0,
            deviceLabel: device.1, time: time, arrayID: scope.arrayID, arrayLabel: scope.arrayLabel,
            readings: readings.map(SharedReadingRule.init), events: events, layout: layout)
        return (m, slotCount)
    }

    /// `fields:` of a frame message: names (`_` to skip) and `{fixed: [{name: width}, …]}`.
    private func frameLayout(_ node: Node, _ scope: MessageScope, _ slotCount: inout Int) -> FrameLayout {
        var layout = FrameLayout()
        guard let seq = node.sequence else {
            reader.error(node, "'fields' must be a list of field names")
            return layout
        }
        func claim(_ name: String, _ at: Node) -> Int32 {
            if name == "_" { return -1 }
            if scope.frameNames?[name] != nil {
                reader.error(at, "duplicate field name '\(name)'")
                return -1
            }
            let slot = Int32(slotCount)
            slotCount += 1
            scope.frameNames?[name] = slot
            scope.frameNameList.append(name)
            return slot
        }
        for item in seq {
            if item.scalar != nil {
                guard let name = reader.string(item, "a field name") else { continue }
                layout.entries.append(.init(slot: claim(name, item)))
                continue
            }
            guard let fixed = reader.mapping(item, "fixed-width field", allowed: ["fixed"], required: ["fixed"]),
                let partsNode = fixed["fixed"]
            else { continue }
            guard let parts = partsNode.sequence, !parts.isEmpty else {
                reader.error(partsNode, "'fixed' must be a list like [{date: 6}, {fix: 1}]")
                continue
            }
            var entry = FrameLayout.Entry(slot: -1, firstPart: Int32(layout.parts.count))
            for part in parts {
                guard let pair = part.mapping, pair.count == 1, let key = pair.first?.key,
                    let name = key.scalar?.string, let widthNode = pair.first?.value
                else {
                    reader.error(part, "each fixed-width part must be one 'name: width' pair")
                    continue
                }
                guard let width = reader.int(widthNode, "width of '\(name)'", in: 1...4096) else { continue }
                layout.parts.append(.init(slot: claim(name, key), width: Int32(width)))
                entry.partCount += 1
                entry.totalWidth += Int32(width)
            }
            layout.entries.append(entry)
        }
        return layout
    }

    /// A field reference: a JSON path or frame field name, `{field: …}`, or `{topic_level: N}`.
    func source(_ node: Node, _ what: String, _ scope: MessageScope) -> (FieldSource, String)? {
        var text: String
        var at = node
        if node.mapping != nil {
            guard let m = reader.mapping(node, what, allowed: ["field", "topic_level"]) else { return nil }
            if let n = m["topic_level"] {
                if m["field"] != nil { reader.error(node, "\(what) takes 'field' or 'topic_level', not both") }
                guard let level = reader.int(n, "'topic_level'", in: 1...64) else { return nil }
                return (.topicLevel(level), "topic level \(level)")
            }
            guard let n = m["field"] else {
                reader.error(node, "\(what) needs 'field' or 'topic_level'")
                return nil
            }
            at = n
        }
        guard let s = reader.string(at, what) else { return nil }
        text = s
        if let names = scope.frameNames {
            guard let slot = names[text] else {
                let known = (headerNames.filter { $0 != "_" } + scope.frameNameList).joined(separator: ", ")
                reader.error(at, "unknown field '\(text)' (this message's fields: \(known))")
                return nil
            }
            return (.slot(SlotRef(array: -1, index: slot)), text)
        }
        let steps: [PathStep]
        switch JSONPath.parse(text) {
        case .success(let s): steps = s
        case .failure(let err):
            reader.error(at, "bad JSON path: \(err.message)")
            return nil
        }
        switch trie.add(steps) {
        case .failure(let err):
            reader.error(at, "bad JSON path '\(text)': \(err.message)")
            return nil
        case .success(let ref):
            if ref.isElement {
                let arrayPath = arrayPrefix(text)
                if scope.arrayID < 0 {
                    scope.arrayID = ref.array
                    scope.arrayLabel = arrayPath
                } else if scope.arrayID != ref.array {
                    reader.error(
                        at, "'\(text)' iterates another array than '\(scope.arrayLabel)': a message iterates one array")
                    return nil
                }
            }
            return (.slot(ref), text)
        }
    }

    private func arrayPrefix(_ path: String) -> String {
        guard let r = path.range(of: "[]") else { return path }
        return String(path[..<r.upperBound])
    }

    /// `when:` — one `{field, equals}` mapping or a list of them; all must hold.
    func conditions(_ node: Node, _ scope: MessageScope) -> [Condition] {
        let items = node.sequence.map(Array.init) ?? [node]
        var out: [Condition] = []
        for item in items {
            guard let c = reader.mapping(item, "'when'", allowed: ["field", "equals"], required: ["field", "equals"]),
                let fieldNode = c["field"], let equalsNode = c["equals"]
            else { continue }
            guard let (src, _) = source(fieldNode, "'field'", scope) else { continue }
            let values = reader.list(equalsNode, "'equals'").compactMap { reader.matchValue($0, "'equals'") }
            if !values.isEmpty { out.append(Condition(source: src, values: values)) }
        }
        return out
    }

    /// `time:` — `{field, epoch: s|ms}` or `{field, pattern, zone}`; field and pattern may be
    /// parallel lists for split date and time fields.
    func timeRule(_ node: Node, _ scope: MessageScope) -> TimeRule? {
        guard
            let t = reader.mapping(
                node, "'time'", allowed: ["field", "pattern", "epoch", "zone"], required: ["field"]),
            let fieldNode = t["field"]
        else { return nil }
        let fieldNodes = reader.list(fieldNode, "'field'")
        var sources: [(FieldSource, String)] = []
        for f in fieldNodes {
            if let s = source(f, "'field'", scope) { sources.append(s) }
        }
        guard sources.count == fieldNodes.count, !sources.isEmpty else { return nil }
        let label = sources.map(\.1).joined(separator: "+")
        switch (t["epoch"], t["pattern"]) {
        case (let epochNode?, nil):
            if let z = t.keys["zone"] { reader.error(z, "'zone' is only for 'pattern' times (epoch times are UTC)") }
            guard sources.count == 1 else {
                reader.error(fieldNode, "an epoch time reads one field")
                return nil
            }
            switch reader.string(epochNode, "'epoch'") {
            case "s"?: return .epoch(sources[0].0, millisPerUnit: 1000, label: label)
            case "ms"?: return .epoch(sources[0].0, millisPerUnit: 1, label: label)
            case let other?:
                reader.error(epochNode, "unknown epoch unit '\(other)' (use s or ms)")
                return nil
            case nil: return nil
            }
        case (nil, let patternNode?):
            let patternNodes = reader.list(patternNode, "'pattern'")
            guard patternNodes.count == sources.count else {
                reader.error(patternNode, "'pattern' needs one pattern per field (\(sources.count))")
                return nil
            }
            var parts: [TimePart] = []
            for (p, src) in zip(patternNodes, sources) {
                guard let s = reader.string(p, "'pattern'") else { continue }
                switch TimePattern.compile(s) {
                case .success(let pattern): parts.append(TimePart(source: src.0, pattern: pattern))
                case .failure(let err): reader.error(p, err.message)
                }
            }
            guard parts.count == sources.count else { return nil }
            let has = parts.map(\.pattern.hasDate)
            if !has.contains(where: \.year) || !has.contains(where: \.month) || !has.contains(where: \.day) {
                reader.error(patternNode, "time patterns must give a year, month and day (yyyy or yy, MM, dd)")
                return nil
            }
            var offset = profileZone
            if let z = t["zone"] {
                guard let zoneOffset = zone(z) else { return nil }
                offset = zoneOffset
            }
            return .pattern(parts, utcOffsetSeconds: offset, label: label)
        default:
            reader.error(node, "'time' needs exactly one of 'epoch' (s or ms) and 'pattern'")
            return nil
        }
    }
}
