import AnxinCore

extension CompiledProfile {
    enum Outcome {
        case decoded
        /// The profile takes the topic but none of its message types fits.
        case noMessage
        case failed(DecodeFailure)
    }

    /// Decodes one message the profile's topic filters took. Observations are appended
    /// to `output`; on failure `output` is left empty.
    func decode(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: EpochMillis,
        scratch: inout DecodeScratch, output: inout DecodeOutput
    ) -> Outcome {
        scratch.reset(rootSlots: rootSlotCount, arrayCount: arrayCount)
        output.profile = id
        switch format {
        case .json(let trie):
            var scanner = JSONScanner(payload: payload, trie: trie)
            guard scanner.scan(into: &scratch) else {
                return .failed(.init(reason: .unparsable, message: "\(id): payload is not well-formed JSON"))
            }
            return scratch.root.withUnsafeBufferPointer { root in
                scratch.elements.withUnsafeBufferPointer { elements in
                    let reader = SampleReader(payload: payload, topic: topic, root: root, elements: elements)
                    guard let m = messages.firstIndex(where: { accepts($0, topic: topic, command: nil, reader) })
                    else { return .noMessage }
                    return finish(messages[m], reader, scratch.arrays, receivedAt, &output)
                }
            }
        case .frame(let syntax):
            guard let cut = syntax.cut(payload, into: &scratch.root) else {
                return .failed(.init(reason: .unparsable, message: "\(id): payload is not a well-formed frame"))
            }
            let command = UnsafeRawBufferPointer(rebasing: payload[cut.commandStart..<cut.commandEnd])
            let m: Int? = scratch.root.withUnsafeBufferPointer { root in
                scratch.elements.withUnsafeBufferPointer { elements in
                    let reader = SampleReader(payload: payload, topic: topic, root: root, elements: elements)
                    return messages.firstIndex(where: { accepts($0, topic: topic, command: command, reader) })
                }
            }
            guard let m else { return .noMessage }
            if syntax.lengthSlot >= 0 {
                let span = scratch.root[Int(syntax.lengthSlot)]
                let text = UnsafeRawBufferPointer(rebasing: payload[Int(span.start)..<Int(span.end)])
                guard let declared = PayloadText.unsigned(text, radix: syntax.lengthRadix),
                    declared == UInt64(cut.bodyEnd - cut.commandStart)
                else {
                    return .failed(.init(reason: .unparsable, message: "\(id): frame length does not match its header"))
                }
            }
            guard messages[m].layout.split(payload, cut, separator: syntax.separator, into: &scratch.root) else {
                return .failed(
                    .init(
                        reason: .unparsable,
                        message: "\(id)/\(messages[m].name): a fixed-width field is shorter than its layout"))
            }
            return scratch.root.withUnsafeBufferPointer { root in
                scratch.elements.withUnsafeBufferPointer { elements in
                    let reader = SampleReader(payload: payload, topic: topic, root: root, elements: elements)
                    return finish(messages[m], reader, scratch.arrays, receivedAt, &output)
                }
            }
        }
    }

    private func accepts(
        _ m: MessageType, topic: UnsafeRawBufferPointer, command: UnsafeRawBufferPointer?, _ reader: SampleReader
    ) -> Bool {
        if let filter = m.topic, !filter.matches(topic) { return false }
        if let command, !m.commands.isEmpty {
            var found = false
            for c in m.commands where c.count == command.count {
                var k = 0
                while k < c.count, c[k] == command[k] { k += 1 }
                if k == c.count {
                    found = true
                    break
                }
            }
            if !found { return false }
        }
        return m.conditions.isEmpty || reader.holds(m.conditions)
    }

    private func finish(
        _ m: MessageType, _ reader: SampleReader, _ arrays: [ArrayBlock], _ receivedAt: EpochMillis,
        _ output: inout DecodeOutput
    ) -> Outcome {
        if let failure = evaluate(m, reader, arrays, receivedAt, &output) {
            output.observations.removeAll(keepingCapacity: true)
            output.sentinels.removeAll(keepingCapacity: true)
            return .failed(failure)
        }
        return .decoded
    }

    private func failure(_ reason: RejectReason, _ m: MessageType, _ what: String) -> DecodeFailure {
        DecodeFailure(reason: reason, message: "\(id)/\(m.name): \(what)")
    }

    /// Turns the captured values into observations, sample by sample. A wrong type stops at
    /// once; a missing field or bad time is remembered and reported after the rest is checked.
    private func evaluate(
        _ m: MessageType, _ reader: SampleReader, _ arrays: [ArrayBlock], _ receivedAt: EpochMillis,
        _ output: inout DecodeOutput
    ) -> DecodeFailure? {
        var r = reader
        var samples = 1
        var base = 0
        var stride = 0
        if m.arrayID >= 0 {
            let block = arrays[Int(m.arrayID)]
            if block.mismatch { return failure(.wrongType, m, "'\(m.arrayLabel)' is not an array of objects") }
            if !block.seen { return failure(.missingField, m, "'\(m.arrayLabel)' is missing") }
            samples = Int(block.count)
            base = Int(block.base)
            if case .json(let trie) = format { stride = trie.elementSlotCounts[Int(m.arrayID)] }
        }
        var pending: DecodeFailure?
        var sharedDevice: String?
        let perElementDevice = m.device.slotRef?.isElement ?? false
        if !perElementDevice {
            switch r.deviceID(m.device) {
            case .value(let d): sharedDevice = d
            case .wrongType: return failure(.wrongType, m, "device id '\(m.deviceLabel)' has the wrong type")
            case .missing: pending = failure(.missingField, m, "device id '\(m.deviceLabel)' is missing")
            }
        }
        for e in 0..<samples {
            r.elementBase = base + e * stride
            var device = sharedDevice ?? ""
            if perElementDevice {
                switch r.deviceID(m.device) {
                case .value(let d): device = d
                case .wrongType: return failure(.wrongType, m, "device id '\(m.deviceLabel)' has the wrong type")
                case .missing:
                    pending = pending ?? failure(.missingField, m, "device id '\(m.deviceLabel)' is missing")
                }
            }
            var at = receivedAt
            var flags: ObservationFlags = .receiveTime
            if let rule = m.time {
                switch r.time(rule) {
                case .value(let t): (at, flags) = DeviceClock.settle(t, receivedAt: receivedAt)
                case .absent: pending = pending ?? failure(.missingField, m, "time '\(rule.label)' is missing")
                case .wrongType: return failure(.wrongType, m, "time '\(rule.label)' has the wrong type")
                case .invalid: pending = pending ?? failure(.badTime, m, "time '\(rule.label)' is not a valid time")
                }
            }
            for shared in m.readings {
                if let stop = sample(shared, m, r, at, flags, device, receivedAt, &pending, &output) { return stop }
            }
            var seen: UInt16 = 0
            for rule in m.events {
                if !rule.conditions.isEmpty && !r.holds(rule.conditions) { continue }
                switch rule.trigger {
                case .always(let kind):
                    add(kind, &seen, device, at, flags, receivedAt, &output)
                case .bits(let source, let radix, let bits):
                    let v = r.value(source)
                    var word: UInt64 = 0
                    switch v.kind {
                    case .absent, .null:
                        continue
                    case .number:
                        guard let d = PayloadText.number(v.bytes), d >= 0, d < 18_446_744_073_709_551_616.0,
                            d == d.rounded()
                        else { return failure(.wrongType, m, "status '\(rule.label)' is not a bitfield") }
                        word = UInt64(d)
                    case .string, .text:
                        if v.bytes.isEmpty { continue }
                        guard !v.escaped, let w = PayloadText.unsigned(v.bytes, radix: radix) else {
                            return failure(.wrongType, m, "status '\(rule.label)' is not a bitfield")
                        }
                        word = w
                    default:
                        return failure(.wrongType, m, "status '\(rule.label)' is not a bitfield")
                    }
                    for b in bits where word & (1 << UInt64(b.bit)) != 0 {
                        add(b.kind, &seen, device, at, flags, receivedAt, &output)
                    }
                case .codes(let source, let codes):
                    let v = r.value(source)
                    switch v.kind {
                    case .absent, .null: continue
                    case .object, .array, .mismatch:
                        return failure(.wrongType, m, "alarm code '\(rule.label)' has the wrong type")
                    default: break
                    }
                    for c in codes where r.matches(v, c.match) {
                        add(c.kind, &seen, device, at, flags, receivedAt, &output)
                        break
                    }
                }
            }
        }
        return pending
    }

    /// One reading rule on one sample: appends its reading, notes a missing or bad field in `pending`,
    /// or returns the failure that stops the message (a wrong type).
    private func sample(
        _ shared: SharedReadingRule, _ m: MessageType, _ r: SampleReader, _ at: EpochMillis,
        _ flags: ObservationFlags, _ device: String, _ receivedAt: EpochMillis, _ pending: inout DecodeFailure?,
        _ output: inout DecodeOutput
    ) -> DecodeFailure? {
        if !shared.rule.conditions.isEmpty && !r.holds(shared.rule.conditions) { return nil }
        var readingAt = at
        var readingFlags = flags
        if let t = shared.rule.time {
            switch r.time(t) {
            case .value(let v): (readingAt, readingFlags) = DeviceClock.settle(v, receivedAt: receivedAt)
            case .absent: break
            case .wrongType: return failure(.wrongType, m, "time '\(t.label)' has the wrong type")
            case .invalid:
                pending = pending ?? failure(.badTime, m, "time '\(t.label)' is not a valid time")
            }
        }
        let value: ReadingValue
        switch read(shared, r) {
        case .absent:
            if shared.rule.required {
                pending = pending ?? failure(.missingField, m, "'\(shared.rule.label)' is missing")
            }
            return nil
        case .wrongType:
            return failure(.wrongType, m, "'\(shared.rule.label)' has the wrong type")
        case .sentinel:
            output.sentinels.append(shared.rule.kind.name)
            return nil
        case .value(let v):
            value = v
        }
        output.observations.append(
            .reading(
                Reading(
                    device: device, profile: id, kind: shared.rule.kind, value: value, measuredAt: readingAt,
                    receivedAt: receivedAt, flags: readingFlags)))
        return nil
    }

    @inline(__always)
    private func add(
        _ kind: EventKind, _ seen: inout UInt16, _ device: String, _ at: EpochMillis, _ flags: ObservationFlags,
        _ receivedAt: EpochMillis, _ output: inout DecodeOutput
    ) {
        let bit: UInt16 = 1 << UInt16(kind.rawValue)
        guard seen & bit == 0 else { return }
        seen |= bit
        output.observations.append(
            .event(
                DeviceEvent(
                    device: device, profile: id, kind: kind, measuredAt: at, receivedAt: receivedAt, flags: flags)))
    }

    private enum ValueRead {
        case absent
        case value(ReadingValue)
        case wrongType
        case sentinel
    }

    private func read(_ shared: SharedReadingRule, _ r: SampleReader) -> ValueRead {
        if let loc = shared.rule.location {
            switch r.location(loc) {
            case .absent: return .absent
            case .wrongType: return .wrongType
            case .sentinel: return .sentinel
            case .value(let l): return .value(.location(l))
            }
        }
        let v = r.value(shared.rule.source)
        if !shared.rule.map.isEmpty {
            switch v.kind {
            case .absent, .null: return .absent
            case .object, .array, .mismatch: return .wrongType
            default: break
            }
            if v.bytes.isEmpty && (v.kind == .text || v.kind == .string) { return .absent }
            for entry in shared.rule.map where r.matches(v, entry.match) { return .value(entry.value) }
            return .absent
        }
        if shared.rule.kind == .inBed || shared.rule.kind == .worn {
            switch v.kind {
            case .absent, .null: return .absent
            case .trueLiteral: return .value(.bool(true))
            case .falseLiteral: return .value(.bool(false))
            default: return .wrongType
            }
        }
        switch r.number(v) {
        case .absent:
            return .absent
        case .wrongType:
            return .wrongType
        case .value(let raw):
            if shared.rule.sentinels.contains(raw) { return .sentinel }
            var x = raw
            if shared.rule.scale != 1 { x *= shared.rule.scale }
            if shared.rule.divisor != 1 { x /= shared.rule.divisor }
            return .value(.number(shared.rule.unit.apply(x)))
        }
    }
}
