import AnxinCore
import Foundation

/// The saved form of a subject's and a device's rule state: a compact binary layout, because a city's
/// devices make the pipeline save thousands of them a second and a restart read them all back.
///
/// Layout (version 1): the byte `0xB1`, then fields in a fixed order; integers are zigzag varints,
/// doubles 8 bytes little-endian, strings a varint length and UTF-8, optionals a 0/1 byte first,
/// collections a varint count first. Open alerts are rare and rich (escalation chains, triggers): each
/// is embedded as its JSON. Blobs saved before (JSON, starting with `{`) are still read.
enum StateCodec {
    static let version1: UInt8 = 0xB1

    // MARK: subject

    /// - Parameter pool: where `st`'s latest values are.
    static func encode(_ st: SubjectState, latestIn pool: LatestPool) -> [UInt8] {
        var w = Writer()
        w.bytes.reserveCapacity(64 + st.progress.count * 24 + st.latest.count * 12)
        w.bytes.append(version1)
        w.string(st.residentID)
        w.latest(pool.entries(st.latest))
        w.int(st.progress.count)
        for (rule, p) in st.progress {
            w.string(rule)
            w.int(p.lastJudged)
            w.run(p.run)
            w.run(p.backfill)
        }
        w.int(st.beds.count)
        for (rule, b) in st.beds {
            w.string(rule)
            w.int(b.outSince)
            w.string(b.device)
            w.bool(b.byEvent)
            w.bool(b.raised)
        }
        w.int(st.alerts.count)
        let json = JSONEncoder()
        for (rule, a) in st.alerts {
            w.string(rule)
            w.blob((try? json.encode(a)).map { [UInt8]($0) } ?? [])
        }
        return w.bytes
    }

    /// - Parameter pool: where the latest values read go.
    static func decodeSubject(_ bytes: [UInt8], latestIn pool: LatestPool) -> SubjectState? {
        guard bytes.first == version1 else {
            return (try? JSONDecoder().decode(SubjectStateJSON.self, from: Data(bytes)))?.state(latestIn: pool)
        }
        var r = Reader(bytes: bytes, at: 1)
        guard let resident = r.optionalString() else { return nil }
        var st = SubjectState(residentID: resident)
        guard let values = r.latest() else { return nil }
        guard let progress = r.count() else { return nil }
        for _ in 0..<progress {
            guard let rule = r.string(), let last = r.int(), let run = r.run(), let backfill = r.run() else {
                return nil
            }
            st.progress[rule] = RuleProgress(lastJudged: last, run: run, backfill: backfill)
        }
        guard let beds = r.count() else { return nil }
        for _ in 0..<beds {
            guard let rule = r.string(), let out = r.int(), let device = r.string(), let byEvent = r.bool(),
                let raised = r.bool()
            else { return nil }
            st.beds[rule] = BedWatch(outSince: out, device: device, byEvent: byEvent, raised: raised)
        }
        guard let alerts = r.count() else { return nil }
        let json = JSONDecoder()
        for _ in 0..<alerts {
            guard let rule = r.string(), let blob = r.blob(),
                let a = try? json.decode(AlertRecord.self, from: Data(blob))
            else { return nil }
            st.alerts[rule] = a
        }
        guard r.atEnd else { return nil }
        st.latest = pool.store(values)
        return st
    }

    // MARK: device

    /// The device's latest values follow, when it has any (a count, then kind, value and time each): a
    /// blob saved before they were kept with the device ends before them.
    static func encode(_ d: DeviceLiveness, latestIn pool: LatestPool) -> [UInt8] {
        var w = Writer()
        w.bytes.append(version1)
        w.int(d.lastHeard)
        w.int(d.heardAtConnected)
        w.bool(d.silenceReported)
        w.string(d.residentID)
        if !d.latest.isEmpty { w.latest(pool.entries(d.latest)) }
        return w.bytes
    }

    static func decodeDevice(_ bytes: [UInt8], latestIn pool: LatestPool) -> DeviceLiveness? {
        guard bytes.first == version1 else {
            return try? JSONDecoder().decode(DeviceLiveness.self, from: Data(bytes))
        }
        var r = Reader(bytes: bytes, at: 1)
        guard let heard = r.int(), let connected = r.int(), let reported = r.bool(), let resident = r.optionalString()
        else { return nil }
        var values = LatestValues()
        if !r.atEnd {
            guard let read = r.latest() else { return nil }
            values = read
        }
        guard r.atEnd else { return nil }
        var d = DeviceLiveness(
            lastHeard: heard, heardAtConnected: connected, residentID: resident, silenceReported: reported)
        d.latest = pool.store(values)
        return d
    }

    // MARK: primitives

    struct Writer {
        var bytes: [UInt8] = []

        mutating func int(_ v: Int64) {
            var z = UInt64(bitPattern: (v << 1) ^ (v >> 63))
            while z >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: z) | 0x80)
                z >>= 7
            }
            bytes.append(UInt8(z))
        }
        mutating func int(_ v: Int) { int(Int64(v)) }
        mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
        /// Latest values: a count, then kind, value and time each.
        mutating func latest(_ entries: [(kind: ReadingKind, value: TimedValue)]) {
            int(entries.count)
            for (kind, v) in entries {
                bytes.append(kind.rawValue)
                double(v.value)
                int(v.at)
            }
        }

        mutating func double(_ v: Double) {
            withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        mutating func string(_ s: String) {
            var s = s
            s.withUTF8 { utf8 in
                int(utf8.count)
                bytes.append(contentsOf: utf8)
            }
        }
        mutating func string(_ s: String?) {
            guard let s else { return bytes.append(0) }
            bytes.append(1)
            string(s)
        }
        mutating func blob(_ b: [UInt8]) {
            int(b.count)
            bytes.append(contentsOf: b)
        }
        mutating func run(_ r: BreachRun?) {
            guard let r else { return bytes.append(0) }
            bytes.append(1)
            int(r.first)
            int(r.last)
            bool(r.reported)
        }
    }

    /// Reads what ``Writer`` wrote; every read returns nil past the end or on a malformed field.
    struct Reader {
        let bytes: [UInt8]
        var at: Int

        var atEnd: Bool { at == bytes.count }

        mutating func byte() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }
        mutating func int() -> Int64? {
            var z: UInt64 = 0
            var shift: UInt64 = 0
            while let b = byte() {
                z |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1) }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }
        /// A collection's count, bounded by what is left (a corrupt count never allocates).
        mutating func count() -> Int? {
            guard let n = int(), n >= 0, n <= bytes.count - at else { return nil }
            return Int(n)
        }
        mutating func bool() -> Bool? {
            switch byte() {
            case 0: false
            case 1: true
            default: nil
            }
        }
        /// Latest values as ``Writer/latest(_:)`` wrote them; a kind this version does not know is skipped.
        mutating func latest() -> LatestValues? {
            guard let count = count() else { return nil }
            var values = LatestValues()
            values.reserveCapacity(count)
            for _ in 0..<count {
                guard let raw = byte(), let value = double(), let at = int() else { return nil }
                if let kind = ReadingKind(rawValue: raw) { values[kind] = LatestValue(value: value, at: at) }
            }
            return values
        }

        mutating func double() -> Double? {
            guard at + 8 <= bytes.count else { return nil }
            var bits: UInt64 = 0
            for i in 0..<8 { bits |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
            at += 8
            return Double(bitPattern: bits)
        }
        mutating func blob() -> [UInt8]? {
            guard let n = count() else { return nil }
            defer { at += n }
            return Array(bytes[at..<(at + n)])
        }
        mutating func string() -> String? {
            blob().map { String(decoding: $0, as: UTF8.self) }
        }
        /// nil: malformed; .some(nil): absent.
        mutating func optionalString() -> String?? {
            switch byte() {
            case 0: .some(nil)
            case 1: string().map { .some($0) }
            default: nil
            }
        }
        /// nil: malformed; .some(nil): absent.
        mutating func run() -> BreachRun?? {
            switch byte() {
            case 0: return .some(nil)
            case 1:
                guard let first = int(), let last = int(), let reported = bool() else { return nil }
                return .some(BreachRun(first: first, last: last, reported: reported))
            default: return nil
            }
        }
    }
}
