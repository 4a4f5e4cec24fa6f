/// A registry's residents, held compactly.
///
/// As `Resident` values a city's 100,000 residents took about 48 MB: each address, contact list and
/// device list is an allocation of its own, with its header. Here each resident is kept in
/// ``ResidentCodec``'s binary form, all of them in one buffer, and decoded when asked for (an
/// incident, a staff page, a resident's record). What every message reads (the resident's id,
/// threshold overrides and home zone) is held decoded beside it, so the hot path decodes nothing.
///
/// Equal tables hold equal residents in the same order.
public struct ResidentTable: RandomAccessCollection, Sendable {
    /// Each resident's id, in table order.
    public let ids: [String]
    @usableFromInline let thresholds: [[String: Double]]
    /// Home zones are held apart, so a resident without one costs 4 bytes here instead of a 32-byte
    /// optional: each resident's is an index in `zones`, or -1.
    @usableFromInline let zones: [HomeZone]
    @usableFromInline let zoneOf: [Int32]
    /// The residents' encodings, one after the other; resident `i` ends at `ends[i]`.
    private let bytes: [UInt8]
    private let ends: [Int]

    public init() {
        ids = []
        thresholds = []
        zones = []
        zoneOf = []
        bytes = []
        ends = []
    }

    /// The table of `residents`, in their order.
    public init(_ residents: [Resident]) {
        var b = Builder(capacity: residents.count, keepingLinks: false)
        for r in residents { b.append(r) }
        self.init(builder: b)
    }

    init(builder b: Builder) {
        ids = b.ids
        thresholds = b.thresholds
        zones = b.zones
        zoneOf = b.zoneOf
        bytes = b.writer.bytes
        ends = b.ends
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ids.count }

    /// Resident `i`, decoded.
    public subscript(i: Int) -> Resident {
        let start = i == 0 ? 0 : ends[i - 1]
        let decoded = bytes.withUnsafeBytes { raw in
            var reader = ResidentCodec.Reader(bytes: UnsafeRawBufferPointer(rebasing: raw[start..<ends[i]]))
            return try? reader.resident()
        }
        // Bytes this table wrote itself always decode; should they not, the resident keeps what the hot
        // path knows of them rather than bringing the gateway down.
        return decoded ?? Resident(id: ids[i], name: ids[i], homeZone: homeZone(at: i), thresholds: thresholds[i])
    }

    /// Resident `i`'s threshold overrides, without decoding the rest.
    @inlinable
    public func thresholds(at i: Int) -> [String: Double] { thresholds[i] }

    /// Resident `i`'s home zone, without decoding the rest.
    @inlinable
    public func homeZone(at i: Int) -> HomeZone? { zoneOf[i] < 0 ? nil : zones[Int(zoneOf[i])] }

    /// Every resident's encoding, in order (``ResidentCodec/Writer/resident(_:)`` of each): the
    /// registry cache writes them as they are.
    public func withEncodedResidents<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// Builds a table resident by resident.
    public struct Builder: Sendable {
        var ids: [String] = []
        var thresholds: [[String: Double]] = []
        var zones: [HomeZone] = []
        var zoneOf: [Int32] = []
        var writer = ResidentCodec.Writer()
        var ends: [Int] = []
        /// Each resident's bed and devices, for the snapshot's bindings (not kept in the table), unless
        /// the caller has them already.
        var beds: [String?] = []
        var devices: [[String]] = []
        let keepsLinks: Bool

        /// `capacity` residents, taking at most about `bytes` bytes encoded. Better too many than too
        /// few: room never written to is never resident (a buffer this large is mapped on its own), while
        /// outgrowing it copies everything written so far.
        public init(capacity: Int, bytes: Int? = nil) {
            self.init(capacity: capacity, bytes: bytes, keepingLinks: true)
        }

        init(capacity: Int, bytes: Int? = nil, keepingLinks: Bool) {
            keepsLinks = keepingLinks
            reserveCapacity(capacity, bytes: bytes)
        }

        /// Room for `n` residents in all, taking at most about `bytes` bytes encoded.
        public mutating func reserveCapacity(_ n: Int, bytes: Int? = nil) {
            ids.reserveCapacity(n)
            thresholds.reserveCapacity(n)
            zoneOf.reserveCapacity(n)
            ends.reserveCapacity(n)
            if keepsLinks {
                beds.reserveCapacity(n)
                devices.reserveCapacity(n)
            }
            writer.bytes.reserveCapacity(bytes ?? n * 512)
        }

        public mutating func append(_ r: Resident) {
            writer.resident(r)
            note(r)
        }

        /// Appends `r`, whose encoding is `encoded` already (read from the registry cache).
        public mutating func append(_ r: Resident, encoded: UnsafeRawBufferPointer) {
            writer.bytes.append(contentsOf: encoded)
            note(r)
        }

        private mutating func note(_ r: Resident) {
            ids.append(r.id)
            thresholds.append(r.thresholds)
            if let z = r.homeZone {
                zoneOf.append(Int32(truncatingIfNeeded: zones.count))
                zones.append(z)
            } else {
                zoneOf.append(-1)
            }
            ends.append(writer.bytes.count)
            if keepsLinks {
                beds.append(r.bed)
                devices.append(r.devices)
            }
        }

        public var count: Int { ids.count }

        /// Resident `i`'s id, bed and devices (what the registry's validation and bindings read).
        public func id(at i: Int) -> String { ids[i] }
        public func bed(at i: Int) -> String? { beds[i] }
        public func devices(at i: Int) -> [String] { devices[i] }

        /// Resident `i`, decoded.
        public func resident(at i: Int) -> Resident { ResidentTable(builder: self)[i] }

        /// Appends `other`'s residents after these.
        public mutating func append(contentsOf other: Builder) {
            let base = writer.bytes.count
            let zoneBase = Int32(truncatingIfNeeded: zones.count)
            writer.bytes.append(contentsOf: other.writer.bytes)
            ends.append(contentsOf: other.ends.lazy.map { $0 + base })
            ids.append(contentsOf: other.ids)
            thresholds.append(contentsOf: other.thresholds)
            zones.append(contentsOf: other.zones)
            zoneOf.append(contentsOf: other.zoneOf.lazy.map { $0 < 0 ? -1 : $0 + zoneBase })
            if keepsLinks {
                beds.append(contentsOf: other.beds)
                devices.append(contentsOf: other.devices)
            }
        }
    }
}

extension ResidentTable: Equatable {
    public static func == (a: ResidentTable, b: ResidentTable) -> Bool {
        // One encoding per resident, so equal bytes are equal residents; else (strings equal only under
        // Unicode equivalence, say) resident by resident.
        a.count == b.count && (a.bytes == b.bytes || a.elementsEqual(b))
    }
}
