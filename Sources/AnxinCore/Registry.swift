/// A family member or neighbour to call.
public struct Contact: Sendable, Hashable, Codable {
    public var name: String
    public var relation: String?
    public var phone: String
    public init(name: String, relation: String? = nil, phone: String) {
        self.name = name
        self.relation = relation
        self.phone = phone
    }
}

/// A circle a resident is expected to stay in, WGS-84.
public struct HomeZone: Sendable, Hashable, Codable {
    public var lat: Double
    public var lon: Double
    public var radiusM: Double
    public init(lat: Double, lon: Double, radiusM: Double) {
        self.lat = lat
        self.lon = lon
        self.radiusM = radiusM
    }
}

/// One person in care (SPEC section 5).
public struct Resident: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var bed: String?
    public var room: String?
    public var address: String?
    public var phone: String?
    public var contacts: [Contact]
    public var careLevel: Int?
    public var flags: [String]
    public var devices: [String]
    public var homeZone: HomeZone?
    /// Threshold overrides by key: `heart_rate_high`, `heart_rate_low`, `bp_high.systolic`,
    /// `bp_high.diastolic`, `bp_crisis.systolic`, `bp_low.systolic`, `spo2_low`, … (see Rules).
    public var thresholds: [String: Double]
    public var medicalNotes: String?
    public var keyHolder: Contact?
    /// The watch's own phone number, by device id.
    public var sims: [String: String]

    public init(
        id: String, name: String, bed: String? = nil, room: String? = nil, address: String? = nil,
        phone: String? = nil, contacts: [Contact] = [], careLevel: Int? = nil, flags: [String] = [],
        devices: [String] = [], homeZone: HomeZone? = nil, thresholds: [String: Double] = [:],
        medicalNotes: String? = nil, keyHolder: Contact? = nil, sims: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.bed = bed
        self.room = room
        self.address = address
        self.phone = phone
        self.contacts = contacts
        self.careLevel = careLevel
        self.flags = flags
        self.devices = devices
        self.homeZone = homeZone
        self.thresholds = thresholds
        self.medicalNotes = medicalNotes
        self.keyHolder = keyHolder
        self.sims = sims
    }
}

/// A bed with its QR code (一床一码) and its sensors.
public struct Bed: Sendable, Hashable, Codable {
    public var code: String
    public var room: String?
    public var devices: [String]
    public init(code: String, room: String? = nil, devices: [String] = []) {
        self.code = code
        self.room = room
        self.devices = devices
    }
}

/// Who a device belongs to.
///
/// A city binds a device or more to each resident, so a binding is two 32-bit indexes (12 bytes, not
/// the 32 an `Int` and the bed's code took).
public enum DeviceBinding: Sendable, Hashable {
    /// A wristband worn by the resident.
    case worn(residentIndex: Int32)
    /// A sensor on the resident's bed (an index in ``RegistrySnapshot/beds``).
    case bed(residentIndex: Int32, bedIndex: Int32)
}

/// Residents, beds and device bindings, indexed for the hot path.
public struct RegistrySnapshot: Sendable {
    /// The residents, compactly (``ResidentTable``: read `ids`, `thresholds(at:)` and `homeZone(at:)`
    /// on the hot path; a subscript decodes the whole resident).
    public let residents: ResidentTable
    public let beds: [Bed]
    /// Resident index by resident id (dense: a city's table takes 3 MB, not a dictionary's 6.3).
    public let residentIndex: DenseStringMap<Int>
    /// Binding by device id (dense: 3.8 MB for a city, not 7.4).
    public let bindings: DenseStringMap<DeviceBinding>

    public init(residents: [Resident], beds: [Bed]) {
        self.init(
            table: ResidentTable(residents), beds: beds, bed: { residents[$0].bed }, devices: { residents[$0].devices })
    }

    /// The snapshot of the residents appended to `builder`, in their order.
    public init(residents builder: ResidentTable.Builder, beds: [Bed]) {
        self.init(
            table: ResidentTable(builder: builder), beds: beds, bed: { builder.beds[$0] },
            devices: { builder.devices[$0] })
    }

    private init(table: ResidentTable, beds: [Bed], bed: (Int) -> String?, devices: (Int) -> [String]) {
        self.residents = table
        self.beds = beds
        var idx = DenseStringMap<Int>()
        idx.reserveCapacity(table.count)
        var byBed = DenseStringMap<Int>()
        byBed.reserveCapacity(table.count)
        var bind = DenseStringMap<DeviceBinding>()
        bind.reserveCapacity(
            table.indices.reduce(0) { $0 + devices($1).count } + beds.reduce(0) { $0 + $1.devices.count })
        for (i, id) in table.ids.enumerated() {
            idx[id] = i
            if let b = bed(i) { byBed[b] = i }
            for d in devices(i) { bind[d] = .worn(residentIndex: Int32(i)) }
        }
        for (k, b) in beds.enumerated() {
            guard let i = byBed[b.code] else { continue }
            for d in b.devices { bind[d] = .bed(residentIndex: Int32(i), bedIndex: Int32(k)) }
        }
        self.residentIndex = idx
        self.bindings = bind
    }

    public static let empty = RegistrySnapshot(residents: [], beds: [])

    /// Index in `residents` of the resident a device's readings belong to, if any.
    @inlinable
    public func residentIndex(forDevice device: String) -> Int? {
        switch bindings[device] {
        case .worn(let i)?, .bed(let i, _)?: Int(i)
        case nil: nil
        }
    }

    /// Where a device is in ``bindings`` (a number for it, 0 ..< `bindings.count`, while this snapshot is in
    /// force) and the index in `residents` of the resident its readings belong to; nil for a device bound to
    /// no one.
    @inlinable
    public func binding(forDevice device: String) -> (position: Int, residentIndex: Int)? {
        guard let p = bindings.index(forKey: device) else { return nil }
        switch bindings.values[p] {
        case .worn(let i), .bed(let i, _): return (p, Int(i))
        }
    }

    /// The code of the bed a device is a sensor of, if it is one.
    public func bedCode(forDevice device: String) -> String? {
        guard case .bed(_, let k)? = bindings[device] else { return nil }
        return beds[Int(k)].code
    }

    /// The resident a device's readings belong to, if any.
    @inlinable
    public func resident(forDevice device: String) -> Resident? {
        residentIndex(forDevice: device).map { residents[$0] }
    }

    public func resident(id: String) -> Resident? {
        residentIndex[id].map { residents[$0] }
    }

    public func bed(code: String) -> Bed? { beds.first { $0.code == code } }
}
