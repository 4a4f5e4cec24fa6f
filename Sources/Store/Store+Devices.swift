import AnxinCore

extension Store {
    /// Records that a device was heard (for events, which have no table of their own; readings
    /// do this themselves). Creates the device row on first sight.
    public func noteDevice(_ device: String, profile: String, seenAt: EpochMillis, registered: Bool)
        throws(SQLiteError)
    {
        try writeTransaction("note device") { () throws(SQLiteError) in
            _ = try deviceRef(device, profile: profile, registered: registered, seenAt: seenAt)
        }
    }

    /// Every device, by device id.
    public func devices() throws(SQLiteError) -> [DeviceRecord] {
        try locked { () throws(SQLiteError) -> [DeviceRecord] in
            try query(
                "SELECT device, profile, first_seen, last_seen, registered FROM devices ORDER BY device",
                "list devices", bind: { _ throws(SQLiteError) in },
                row: { s in
                    DeviceRecord(
                        device: s.text(0), profile: s.text(1), firstSeen: s.int64(2), lastSeen: s.int64(3),
                        registered: s.int64(4) != 0)
                })
        }
    }

    /// One device, or nil when it was never heard.
    public func device(_ device: String) throws(SQLiteError) -> DeviceRecord? {
        try locked { () throws(SQLiteError) -> DeviceRecord? in
            try query(
                "SELECT device, profile, first_seen, last_seen, registered FROM devices WHERE device = ?",
                "read device", bind: { s throws(SQLiteError) in try s.bind(1, device) },
                row: { s in
                    DeviceRecord(
                        device: s.text(0), profile: s.text(1), firstSeen: s.int64(2), lastSeen: s.int64(3),
                        registered: s.int64(4) != 0)
                }
            ).first
        }
    }

    /// The row id of a device, from the cache when possible. Changes to last_seen, profile and
    /// the registered flag are kept in the cache and written once per device at commit.
    /// Call inside a write transaction.
    func deviceRef(_ device: String, profile: String, registered: Bool, seenAt: EpochMillis)
        throws(SQLiteError) -> Int64
    {
        // One hash of the device id per reading: the slot is changed in place.
        if let i = deviceCache.index(forKey: device) {
            let slot = deviceCache.values[i]
            let sameProfile = profileNames[Int(slot.profile)] == profile
            if seenAt > slot.lastSeen || !sameProfile || slot.registered != registered {
                deviceCache.values[i].lastSeen = max(slot.lastSeen, seenAt)
                if !sameProfile { deviceCache.values[i].profile = profileNumber(profile) }
                deviceCache.values[i].registered = registered
                // Heard again only: written once it is more than the slack ahead of the table.
                let onlyHeard = sameProfile && slot.registered == registered
                if !slot.dirty, !onlyHeard || seenAt - slot.lastSeenWritten > lastSeenSlackMs {
                    deviceCache.values[i].dirty = true
                    dirtyDevices.append(device)
                }
            }
            return slot.ref
        }
        let slot = try withStatement(
            """
            INSERT INTO devices (device, profile, first_seen, last_seen, registered) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (device) DO UPDATE SET
                last_seen = max(last_seen, excluded.last_seen),
                profile = excluded.profile,
                registered = excluded.registered
            RETURNING id, last_seen
            """
        ) { s throws(SQLiteError) -> DeviceSlot in
            try s.bind(1, device)
            try s.bind(2, profile)
            try s.bind(3, seenAt)
            try s.bind(4, seenAt)
            try s.bind(5, registered ? Int64(1) : 0)
            guard try s.step("record device") else {
                throw SQLiteError(code: SQLiteError.error, message: "record device: no row returned")
            }
            let found = DeviceSlot(
                ref: s.int64(0), lastSeen: s.int64(1), lastSeenWritten: s.int64(1),
                profile: profileNumber(profile), registered: registered, dirty: false)
            // Finish the statement so the upsert is complete before the next one runs.
            while try s.step("record device") {}
            return found
        }
        deviceCache[device] = slot
        return slot.ref
    }

    /// `profile`'s index in `profileNames`, added when new (a handful: one per profile file).
    func profileNumber(_ profile: String) -> UInt32 {
        if let i = profileNames.firstIndex(of: profile) { return UInt32(i) }
        profileNames.append(profile)
        return UInt32(profileNames.count - 1)
    }

    /// Writes the device changes gathered in this transaction, one UPDATE per device.
    func flushDevices() throws(SQLiteError) {
        if dirtyDevices.isEmpty { return }
        for device in dirtyDevices {
            guard var slot = deviceCache[device], slot.dirty else { continue }
            try execute(
                "UPDATE devices SET last_seen = max(last_seen, ?), profile = ?, registered = ? WHERE id = ?",
                "update device"
            ) { s throws(SQLiteError) in
                try s.bind(1, slot.lastSeen)
                try s.bind(2, profileNames[Int(slot.profile)])
                try s.bind(3, slot.registered ? Int64(1) : 0)
                try s.bind(4, slot.ref)
            }
            slot.dirty = false
            slot.lastSeenWritten = max(slot.lastSeenWritten, slot.lastSeen)
            deviceCache[device] = slot
        }
        // Room kept only up to a usual transaction's size (a city's devices first heard all come at once).
        dirtyDevices.removeAll(keepingCapacity: dirtyDevices.capacity <= 16_384)
    }

    /// Device row ids for a list of device ids, skipping devices never heard.
    func deviceRefs(_ devices: [String]) throws(SQLiteError) -> [(device: String, profile: String, ref: Int64)] {
        var out: [(device: String, profile: String, ref: Int64)] = []
        for device in devices where !out.contains(where: { $0.device == device }) {
            let found = try query(
                "SELECT id, profile FROM devices WHERE device = ?", "find device",
                bind: { s throws(SQLiteError) in try s.bind(1, device) },
                row: { s in (device: device, profile: s.text(1), ref: s.int64(0)) })
            out.append(contentsOf: found)
        }
        return out
    }
}
