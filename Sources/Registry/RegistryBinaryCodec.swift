import AnxinCore

/// The compact binary form of residents and beds kept in the registry cache: varint
/// lengths and counts, UTF-8 strings, little-endian doubles, dictionaries in key order.
/// Reading is bounds-checked throughout; a malformed cache is an error, never a crash.
enum RegistryBinaryCodec {
    struct Malformed: Error {}

    static func encode(_ snapshot: RegistrySnapshot) -> [UInt8] {
        var w = Writer()
        w.bytes.reserveCapacity(snapshot.residents.count * 256)
        w.count(snapshot.residents.count)
        for r in snapshot.residents { w.resident(r) }
        w.count(snapshot.beds.count)
        for b in snapshot.beds {
            w.string(b.code)
            w.optional(b.room)
            w.strings(b.devices)
        }
        return w.bytes
    }

    /// `passed` is told, every few thousand residents, how far the decoder has read (the cache gives
    /// the pages behind back).
    static func decode(_ bytes: UnsafeRawBufferPointer, passed: ((Int) -> Void)? = nil) throws(Malformed)
        -> RegistrySnapshot
    {
        var r = Reader(bytes: bytes)
        let residentCount = try r.count()
        var residents: [Resident] = []
        residents.reserveCapacity(residentCount)
        for n in 0..<residentCount {
            residents.append(try r.resident())
            if n & 4095 == 4095 { passed?(r.offset) }
        }
        let bedCount = try r.count()
        var beds: [Bed] = []
        beds.reserveCapacity(bedCount)
        for _ in 0..<bedCount {
            beds.append(Bed(code: try r.string(), room: try r.optionalString(), devices: try r.strings()))
        }
        guard r.offset == bytes.count else { throw Malformed() }
        return RegistrySnapshot(residents: residents, beds: beds)
    }

    struct Writer {
        var bytes: [UInt8] = []

        mutating func varint(_ v0: UInt64) {
            var v = v0
            while v >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        mutating func count(_ n: Int) { varint(UInt64(n)) }

        mutating func string(_ s: String) {
            var s = s
            s.withUTF8 { u in
                count(u.count)
                bytes.append(contentsOf: u)
            }
        }

        mutating func optional(_ s: String?) {
            if let s {
                bytes.append(1)
                string(s)
            } else {
                bytes.append(0)
            }
        }

        mutating func strings(_ list: [String]) {
            count(list.count)
            for s in list { string(s) }
        }

        mutating func double(_ d: Double) {
            withUnsafeBytes(of: d.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func contact(_ c: Contact) {
            string(c.name)
            optional(c.relation)
            string(c.phone)
        }

        mutating func resident(_ r: Resident) {
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

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func byte() throws(Malformed) -> UInt8 {
            guard offset < bytes.count else { throw Malformed() }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() throws(Malformed) -> UInt64 {
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
        mutating func count() throws(Malformed) -> Int {
            let v = try varint()
            guard v <= UInt64(bytes.count - offset) else { throw Malformed() }
            return Int(v)
        }

        mutating func flag() throws(Malformed) -> Bool {
            switch try byte() {
            case 0: return false
            case 1: return true
            default: throw Malformed()
            }
        }

        mutating func string() throws(Malformed) -> String {
            let n = try count()
            let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]), as: UTF8.self)
            offset += n
            return s
        }

        mutating func optionalString() throws(Malformed) -> String? {
            try flag() ? try string() : nil
        }

        mutating func strings() throws(Malformed) -> [String] {
            let n = try count()
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try string()) }
            return out
        }

        mutating func double() throws(Malformed) -> Double {
            guard bytes.count - offset >= 8 else { throw Malformed() }
            let bits = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
            return Double(bitPattern: UInt64(littleEndian: bits))
        }

        mutating func contact() throws(Malformed) -> Contact {
            Contact(name: try string(), relation: try optionalString(), phone: try string())
        }

        mutating func resident() throws(Malformed) -> Resident {
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
