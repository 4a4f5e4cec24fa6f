/// The compact binary form of a resident: varint lengths and counts, UTF-8 strings, little-endian
/// doubles, dictionaries in key order (so one resident always encodes to the same bytes). The registry
/// cache is made of it, and ``ResidentTable`` holds a registry's residents in it.
/// Reading is bounds-checked throughout; malformed bytes are an error, never a crash.
public enum ResidentCodec {
    public struct Malformed: Error {
        public init() {}
    }

    public struct Writer: Sendable {
        public init() {}

        public var bytes: [UInt8] = []

        public mutating func varint(_ v0: UInt64) {
            var v = v0
            while v >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        public mutating func count(_ n: Int) { varint(UInt64(n)) }

        public mutating func string(_ s: String) {
            var s = s
            s.withUTF8 { u in
                count(u.count)
                bytes.append(contentsOf: u)
            }
        }

        public mutating func optional(_ s: String?) {
            if let s {
                bytes.append(1)
                string(s)
            } else {
                bytes.append(0)
            }
        }

        public mutating func strings(_ list: [String]) {
            count(list.count)
            for s in list { string(s) }
        }

        public mutating func double(_ d: Double) {
            withUnsafeBytes(of: d.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }

        public mutating func contact(_ c: Contact) {
            string(c.name)
            optional(c.relation)
            string(c.phone)
        }

        public mutating func resident(_ r: Resident) {
            string(r.id)
            string(r.name)
            optional(r.bed)
            optional(r.room)
            optional(r.address)
            optional(r.phone)
            count(r.contacts.count)
            for c in r.contacts { contact(c) }
            if let level = r.careLevel {
                bytes.append(1)
                varint(UInt64(UInt32(truncatingIfNeeded: level)))
            } else {
                bytes.append(0)
            }
            strings(r.flags)
            strings(r.devices)
            if let z = r.homeZone {
                bytes.append(1)
                double(z.lat)
                double(z.lon)
                double(z.radiusM)
            } else {
                bytes.append(0)
            }
            count(r.thresholds.count)
            for (k, v) in r.thresholds.sorted(by: { $0.key < $1.key }) {
                string(k)
                double(v)
            }
            optional(r.medicalNotes)
            if let k = r.keyHolder {
                bytes.append(1)
                contact(k)
            } else {
                bytes.append(0)
            }
            count(r.sims.count)
            for (k, v) in r.sims.sorted(by: { $0.key < $1.key }) {
                string(k)
                string(v)
            }
        }
    }

    public struct Reader {
        public let bytes: UnsafeRawBufferPointer
        public private(set) var offset = 0

        public init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        public mutating func byte() throws(Malformed) -> UInt8 {
            guard offset < bytes.count else { throw Malformed() }
            defer { offset += 1 }
            return bytes[offset]
        }

        public mutating func varint() throws(Malformed) -> UInt64 {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw Malformed() }
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }

        /// A count or length, which can never exceed the bytes left.
        public mutating func count() throws(Malformed) -> Int {
            let v = try varint()
            guard v <= UInt64(bytes.count - offset) else { throw Malformed() }
            return Int(v)
        }

        public mutating func flag() throws(Malformed) -> Bool {
            switch try byte() {
            case 0: return false
            case 1: return true
            default: throw Malformed()
            }
        }

        public mutating func string() throws(Malformed) -> String {
            let n = try count()
            let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]), as: UTF8.self)
            offset += n
            return s
        }

        public mutating func optionalString() throws(Malformed) -> String? {
            try flag() ? try string() : nil
        }

        public mutating func strings() throws(Malformed) -> [String] {
            let n = try count()
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try string()) }
            return out
        }

        public mutating func double() throws(Malformed) -> Double {
            guard bytes.count - offset >= 8 else { throw Malformed() }
            let bits = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
            return Double(bitPattern: UInt64(littleEndian: bits))
        }

        public mutating func contact() throws(Malformed) -> Contact {
            Contact(name: try string(), relation: try optionalString(), phone: try string())
        }

        public mutating func resident() throws(Malformed) -> Resident {
            var r = Resident(id: try string(), name: try string())
            r.bed = try optionalString()
            r.room = try optionalString()
            r.address = try optionalString()
            r.phone = try optionalString()
            let contacts = try count()
            for _ in 0..<contacts { r.contacts.append(try contact()) }
            if try flag() {
                let level = try varint()
                guard level <= 4 else { throw Malformed() }
                r.careLevel = Int(level)
            }
            r.flags = try strings()
            r.devices = try strings()
            if try flag() {
                r.homeZone = HomeZone(lat: try double(), lon: try double(), radiusM: try double())
            }
            let thresholds = try count()
            for _ in 0..<thresholds {
                let key = try string()
                r.thresholds[key] = try double()
            }
            r.medicalNotes = try optionalString()
            if try flag() { r.keyHolder = try contact() }
            let sims = try count()
            for _ in 0..<sims {
                let device = try string()
                r.sims[device] = try string()
            }
            return r
        }
    }
}
