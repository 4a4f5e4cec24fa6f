import AnxinCore

extension Store {
    private static let insertReadingSQL = """
        INSERT OR IGNORE INTO readings
            (device_ref, kind, measured_at, value, received_lag, flags, lon, accuracy_m)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    private static let readingColumns = "measured_at, value, received_lag, flags, lon, accuracy_m"

    /// Stores one reading; false when the same (device, kind, measured time, value) is already
    /// stored, or the value is NaN. Creates the device row on first sight.
    ///
    /// The hot path: call it inside `inTransaction` for a batch. It binds and steps one
    /// prepared statement; the device id goes through an in-memory cache, and device rows are
    /// updated once per device at commit.
    @discardableResult
    public func appendReading(_ r: Reading) throws(SQLiteError) -> Bool {
        try writeTransaction("store reading") { () throws(SQLiteError) -> Bool in
            let ref = try deviceRef(
                r.device, profile: r.profile, registered: !r.flags.contains(.unregistered), seenAt: r.receivedAt)
            let stmt: SQLiteStatement
            if let cached = insertReading {
                stmt = cached
            } else {
                stmt = try connection.prepare(Store.insertReadingSQL)
                insertReading = stmt
            }
            defer { stmt.reset() }
            var flags = Int64(r.flags.rawValue)
            try stmt.bind(1, ref)
            try stmt.bind(2, Int64(r.kind.rawValue))
            try stmt.bind(3, r.measuredAt)
            switch r.value {
            case .number(let v):
                try stmt.bind(4, v)
                try stmt.bindNull(7)
                try stmt.bindNull(8)
            case .bool(let b):
                try stmt.bind(4, b ? 1.0 : 0.0)
                try stmt.bindNull(7)
                try stmt.bindNull(8)
            case .location(let loc):
                try stmt.bind(4, loc.lat)
                try stmt.bind(7, loc.lon)
                try stmt.bind(8, loc.accuracyM)
                flags |= Int64(loc.source.rawValue) << 16
            }
            try stmt.bind(5, r.receivedAt &- r.measuredAt)
            try stmt.bind(6, flags)
            _ = try stmt.step("store reading")
            return connection.changes == 1
        }
    }

    /// Readings of the given devices at or after `since`, newest first, at most `limit`.
    /// `kind` nil means every kind. Each reading carries its device's current profile.
    public func readings(device ids: [String], kind: ReadingKind?, since: EpochMillis, limit: Int)
        throws(SQLiteError) -> [Reading]
    {
        if limit <= 0 { return [] }
        return try locked { () throws(SQLiteError) -> [Reading] in
            var out: [Reading] = []
            let kinds = kind.map { [$0] } ?? ReadingKind.allCases
            for device in try deviceRefs(ids) {
                for k in kinds {
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
                    out.append(contentsOf: found)
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
                }
            }
            return ReadingKind.allCases.compactMap { latest[$0] }
        }
    }

    /// Number of stored readings (a full count: for tests and operators, not for metrics).
    public func readingCount() throws(SQLiteError) -> Int {
        try locked { () throws(SQLiteError) -> Int in
            try query(
                "SELECT count(*) FROM readings", "count readings", bind: { _ throws(SQLiteError) in },
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
        let measuredAt = s.int64(0)
        let raw = s.double(1)
        let flags = s.int64(3)
        let value: ReadingValue
        switch kind {
        case .location:
            let source = LocationSource(rawValue: UInt8(truncatingIfNeeded: flags >> 16)) ?? .gps
            value = .location(
                Location(lat: raw, lon: s.optionalDouble(4) ?? 0, accuracyM: s.optionalDouble(5), source: source))
        case .inBed, .worn:
            value = .bool(raw != 0)
        default:
            value = .number(raw)
        }
        return Reading(
            device: device, profile: profile, kind: kind, value: value, measuredAt: measuredAt,
            receivedAt: measuredAt &+ s.int64(2),
            flags: ObservationFlags(rawValue: UInt16(truncatingIfNeeded: flags)))
    }
}
