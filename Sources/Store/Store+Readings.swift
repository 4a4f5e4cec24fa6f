import AnxinCore

extension Store {
    private static let stagePackSQL = "INSERT INTO reading_packs (device_ref, count, data) VALUES (?, ?, ?)"

    static let readingColumns = "measured_at, value, received_lag, flags, lon, accuracy_m"

    /// Stores one reading straight into the history; false when the same (device, kind, measured
    /// time, value) is already stored, or the value is NaN. Creates the device row on first sight.
    /// For imports and tests; the pipeline stages (`stageReading(_:)`).
    @discardableResult
    public func appendReading(_ r: Reading) throws(SQLiteError) -> Bool {
        try writeTransaction("store reading") { () throws(SQLiteError) -> Bool in
            let ref = try deviceRef(
                r.device, profile: r.profile, registered: !r.flags.contains(.unregistered), seenAt: r.receivedAt)
            guard let row = StoredRow(r) else { return false }
            return try mergeIntoBlocks(ref: ref, kind: Int64(r.kind.rawValue), rows: CollectionOfOne(row)) == 1
        }
    }

    /// Commits one reading to the stage (a pack of one; the pipeline stages a batch with
    /// `stageReadings`). False when the value is NaN (not stored). Creates the device row on first sight.
    @discardableResult
    public func stageReading(_ r: Reading) throws(SQLiteError) -> Bool {
        try stageReadings([r][...]) == 1
    }

    /// Commits readings to the staging table (`reading_packs`): the pipeline's hot path, inside
    /// `inTransaction` for a batch. Each run of consecutive readings of one device (a message's
    /// readings) is one appended row, whatever the device. Queries see them at once;
    /// `foldStagedReadings` moves them into the history's blocks later, where a repeat of a stored
    /// reading is dropped. NaN values are not stored. Creates device rows on first sight. The number
    /// of readings staged.
    @discardableResult
    public func stageReadings(_ readings: [Reading]) throws(SQLiteError) -> Int {
        try stageReadings(readings[...])
    }

    /// As ``stageReadings(_:)-([Reading])``, of a slice. Concrete, not generic over `Collection`: called
    /// from another module, a generic one ran unspecialized, every index and copy of a reading through a
    /// witness table (`anxin-foldbench`: 1.13–1.16 µs of CPU per reading staged, 0.82–0.87 this way).
    @discardableResult
    public func stageReadings(_ readings: ArraySlice<Reading>) throws(SQLiteError) -> Int {
        try writeTransaction("stage readings") { () throws(SQLiteError) -> Int in
            var staged = 0
            var i = readings.startIndex
            while i != readings.endIndex {
                let first = readings[i]
                var end = readings.index(after: i)
                while end != readings.endIndex, readings[end].device == first.device,
                    readings[end].profile == first.profile,
                    readings[end].flags.contains(.unregistered)
                        == first.flags.contains(.unregistered)
                {
                    end = readings.index(after: end)
                }
                staged += try stagePack(readings[i..<end])
                i = end
            }
            return staged
        }
    }

    /// One device's readings as one staged row (its statement prepared once); the number staged.
    private func stagePack(_ run: ArraySlice<Reading>) throws(SQLiteError) -> Int {
        guard let first = run.first else { return 0 }
        packBuffer.removeAll(keepingCapacity: true)
        var previous: Int64?
        var count = 0
        var seenAt = first.receivedAt
        for r in run {
            guard let row = StoredRow(r) else { continue }
            ReadingPackCodec.append(kind: r.kind.rawValue, row, previous: previous, to: &packBuffer)
            previous = row.measuredAt
            seenAt = max(seenAt, r.receivedAt)
            count += 1
        }
        if count == 0 { return 0 }
        let stmt: SQLiteStatement
        if let cached = stageReadingStatement {
            stmt = cached
        } else {
            stmt = try connection.prepare(Store.stagePackSQL)
            stageReadingStatement = stmt
        }
        let ref = try deviceRef(
            first.device, profile: first.profile, registered: !first.flags.contains(.unregistered), seenAt: seenAt)
        defer { stmt.reset() }
        try stmt.bind(1, ref)
        try stmt.bind(2, count)
        try stmt.bind(3, packBuffer)
        _ = try stmt.step("stage readings")
        return count
    }

    /// Readings of the given devices at or after `since`, newest first, at most `limit`.
    /// `kind` nil means every kind. Each reading carries its device's current profile.
    public func readings(device ids: [String], kind: ReadingKind?, since: EpochMillis, limit: Int)
        throws(SQLiteError) -> [Reading]
    {
        if limit <= 0 { return [] }
        return try locked { () throws(SQLiteError) -> [Reading] in
            var out: [Reading] = []
            // A reading shows once, however many of the history, the rows of older versions and the
            // stage hold it (a redelivery staged twice, a repeat not yet folded away).
            var seen = Set<ReadingIdentity>()
            let kinds = kind.map { [$0] } ?? ReadingKind.allCases
            let devices = try deviceRefs(ids)
            for device in devices {
                for k in kinds {
                    for row in try blockRows(ref: device.ref, kind: Int64(k.rawValue), since: since, limit: limit) {
                        let r = Store.reading(row, device: device.device, profile: device.profile, kind: k)
                        if seen.insert(ReadingIdentity(r)).inserted { out.append(r) }
                    }
                    // What versions before the blocks stored, one row per reading.
                    let found = try query(
                        """
                        SELECT \(Store.readingColumns) FROM readings
                        WHERE device_ref = ? AND kind = ? AND measured_at >= ?
                        ORDER BY measured_at DESC LIMIT ?
                        """, "read readings",
                        bind: { s throws(SQLiteError) in
                            try s.bind(1, device.ref)
                            try s.bind(2, Int64(k.rawValue))
                            try s.bind(3, since)
                            try s.bind(4, limit)
                        },
                        row: { s in Store.reading(s, device: device.device, profile: device.profile, kind: k) })
                    for r in found where seen.insert(ReadingIdentity(r)).inserted { out.append(r) }
                }
            }
            // Readings not yet folded.
            for device in devices {
                for r in try staged(device: device, kind: kind, since: since)
                where seen.insert(ReadingIdentity(r)).inserted {
                    out.append(r)
                }
            }
            // Newest first; ties keep device order and kind order (the sort is stable).
            out.sort { $0.measuredAt > $1.measuredAt }
            return Array(out.prefix(limit))
        }
    }

    /// The latest reading of each kind measured at or after `since`, over all the given devices
    /// (a resident's wristband and bed sensor together), one per kind, in kind order.
    public func latestReadings(devices: [String], since: EpochMillis) throws(SQLiteError) -> [Reading] {
        try locked { () throws(SQLiteError) -> [Reading] in
            var latest: [ReadingKind: Reading] = [:]
            for device in try deviceRefs(devices) {
                for k in ReadingKind.allCases {
                    let found = try query(
                        """
                        SELECT \(Store.readingColumns) FROM readings
                        WHERE device_ref = ? AND kind = ? AND measured_at >= ?
                        ORDER BY measured_at DESC LIMIT 1
                        """, "read latest reading",
                        bind: { s throws(SQLiteError) in
                            try s.bind(1, device.ref)
                            try s.bind(2, Int64(k.rawValue))
                            try s.bind(3, since)
                        },
                        row: { s in Store.reading(s, device: device.device, profile: device.profile, kind: k) })
                    if let r = found.first, r.measuredAt > (latest[k]?.measuredAt ?? .min) { latest[k] = r }
                    if let row = try latestBlockRow(ref: device.ref, kind: Int64(k.rawValue)), row.measuredAt >= since,
                        row.measuredAt > (latest[k]?.measuredAt ?? .min)
                    {
                        latest[k] = Store.reading(row, device: device.device, profile: device.profile, kind: k)
                    }
                }
                for r in try staged(device: device, kind: nil, since: since)
                where r.measuredAt > (latest[r.kind]?.measuredAt ?? .min) {
                    latest[r.kind] = r
                }
            }
            return ReadingKind.allCases.compactMap { latest[$0] }
        }
    }

    /// One device's staged (not yet folded) readings measured at or after `since`, of one kind or
    /// all. The staging table has no index: this reads it whole, which is a few seconds of traffic.
    func staged(device: (device: String, profile: String, ref: Int64), kind: ReadingKind?, since: EpochMillis)
        throws(SQLiteError) -> [Reading]
    {
        var out: [Reading] = []
        try withStatement("SELECT data FROM reading_packs WHERE device_ref = ?") { s throws(SQLiteError) in
            try s.bind(1, device.ref)
            while try s.step("read staged readings") {
                _ = s.withBlob(0) { buf in
                    ReadingPackCodec.forEach(buf) { code, row in
                        guard row.measuredAt >= since, let k = ReadingKind(rawValue: code), kind == nil || kind == k
                        else { return }
                        out.append(Store.reading(row, device: device.device, profile: device.profile, kind: k))
                    }
                }
            }
        }
        return out
    }

    /// Number of stored readings, staged ones included (a full count: for tests and operators, not for
    /// metrics). A staged repeat of a stored reading counts until it is folded away.
    public func readingCount() throws(SQLiteError) -> Int {
        try locked { () throws(SQLiteError) -> Int in
            try query(
                """
                SELECT (SELECT coalesce(sum(count), 0) FROM reading_blocks) + (SELECT count(*) FROM readings)
                    + (SELECT coalesce(sum(count), 0) FROM reading_packs WHERE device_ref > 0)
                """,
                "count readings",
                bind: { _ throws(SQLiteError) in },
                row: { s in s.int(0) }
            ).first ?? 0
        }
    }

    /// Deletes readings measured before `cutoff`, device by device and kind by kind so each
    /// delete is a range of the primary key. The number deleted.
    @discardableResult
    public func pruneReadings(before cutoff: EpochMillis) throws(SQLiteError) -> Int {
        try writeTransaction("prune readings") { () throws(SQLiteError) -> Int in
            let refs = try query(
                "SELECT id FROM devices", "list devices", bind: { _ throws(SQLiteError) in },
                row: { s in s.int64(0) })
            var deleted = 0
            for ref in refs {
                for k in ReadingKind.allCases {
                    deleted += try pruneBlocks(ref: ref, kind: Int64(k.rawValue), before: cutoff)
                    deleted += try execute(
                        "DELETE FROM readings WHERE device_ref = ? AND kind = ? AND measured_at < ?",
                        "prune readings"
                    ) { s throws(SQLiteError) in
                        try s.bind(1, ref)
                        try s.bind(2, Int64(k.rawValue))
                        try s.bind(3, cutoff)
                    }
                }
            }
            return deleted
        }
    }

    /// Decodes a row of `readingColumns`; the kind says what shape the value takes.
    static func reading(_ s: SQLiteStatement, device: String, profile: String, kind: ReadingKind) -> Reading {
        reading(StoredRow(s), device: device, profile: profile, kind: kind)
    }

    /// A stored row as a reading; the kind says what shape the value takes.
    static func reading(_ row: StoredRow, device: String, profile: String, kind: ReadingKind) -> Reading {
        let value: ReadingValue
        switch kind {
        case .location:
            let source = LocationSource(rawValue: UInt8(truncatingIfNeeded: row.flags >> 16)) ?? .gps
            value = .location(Location(lat: row.value, lon: row.lon ?? 0, accuracyM: row.accuracyM, source: source))
        case .inBed, .worn:
            value = .bool(row.value != 0)
        default:
            value = .number(row.value)
        }
        return Reading(
            device: device, profile: profile, kind: kind, value: value, measuredAt: row.measuredAt,
            receivedAt: row.measuredAt &+ row.receivedLag,
            flags: ObservationFlags(rawValue: UInt16(truncatingIfNeeded: row.flags)))
    }
}

/// What makes two readings the same reading: the clustered table's key.
struct ReadingIdentity: Hashable {
    let device: String
    let kind: ReadingKind
    let measuredAt: EpochMillis
    let value: UInt64

    init(_ r: Reading) {
        device = r.device
        kind = r.kind
        measuredAt = r.measuredAt
        switch r.value {
        case .number(let v): value = v.bitPattern
        case .bool(let b): value = (b ? 1.0 : 0.0).bitPattern
        case .location(let l): value = l.lat.bitPattern
        }
    }
}

extension StoredRow {
    /// A reading as the history stores it, as SQLite would store its columns (a NaN longitude or
    /// accuracy becomes absent); nil when its value is NaN (not stored).
    /// The `readingColumns` a statement selected first (columns 0-5).
    init(_ s: SQLiteStatement) {
        self.init(
            measuredAt: s.int64(0), value: s.double(1), receivedLag: s.int64(2), flags: s.int64(3),
            lon: s.optionalDouble(4), accuracyM: s.optionalDouble(5))
    }

    init?(_ r: Reading) {
        var flags = Int64(r.flags.rawValue)
        var lon: Double?
        var accuracy: Double?
        let value: Double
        switch r.value {
        case .number(let v): value = v
        case .bool(let b): value = b ? 1 : 0
        case .location(let loc):
            value = loc.lat
            lon = loc.lon.isNaN ? nil : loc.lon
            accuracy = loc.accuracyM.flatMap { $0.isNaN ? nil : $0 }
            flags |= Int64(loc.source.rawValue) << 16
        }
        if value.isNaN { return nil }
        self.init(
            measuredAt: r.measuredAt, value: value, receivedLag: r.receivedAt &- r.measuredAt, flags: flags,
            lon: lon, accuracyM: accuracy)
    }
}
