import AnxinCore

extension Store {
    /// Erases one resident's personal data on request (PIPL), in one durable transaction:
    /// the readings of `devices`, the history lines of the resident's alerts, the bodies of
    /// their delivered outbox items (replaced by an empty body; pending and rejected items keep
    /// theirs, they still have to be sent), and finally the resident id on their alerts.
    ///
    /// The alert rows themselves stay, anonymous, so counts and the audit trail still add up.
    /// Device rows stay too: a device is the institution's, not the resident's. Running it
    /// twice removes nothing more.
    /// - Parameter devices: the resident's wristbands and bed sensors, as the registry lists them.
    @discardableResult
    public func purgeResident(residentID: String, devices: [String]) throws(SQLiteError) -> ResidentPurgeCounts {
        try writeTransaction("purge resident", durability: .preferred) {
            () throws(SQLiteError) -> ResidentPurgeCounts in
            var counts = ResidentPurgeCounts()
            for device in try deviceRefs(devices) {
                counts.readings += try deleteBlocks(ref: device.ref)
                counts.readings += try execute("DELETE FROM readings WHERE device_ref = ?", "purge readings") {
                    s throws(SQLiteError) in try s.bind(1, device.ref)
                }
                // Staged ones are deleted, except the newest staged pack of all, which is blanked to
                // device 0 if it is theirs: while the table keeps its highest rowid, no rowid is used
                // twice, so a fold under way (which skips packs no longer staged under the same device)
                // never takes a new pack for a purged one (Store+Fold).
                counts.readings +=
                    try query(
                        "SELECT coalesce(sum(count), 0) FROM reading_packs WHERE device_ref = ?",
                        "count staged readings",
                        bind: { s throws(SQLiteError) in try s.bind(1, device.ref) }, row: { s in s.int(0) }
                    ).first ?? 0
                try execute(
                    """
                    UPDATE reading_packs SET device_ref = 0, count = 0, data = X''
                    WHERE device_ref = ?1 AND rowid = (SELECT max(rowid) FROM reading_packs)
                    """, "purge staged readings"
                ) { s throws(SQLiteError) in try s.bind(1, device.ref) }
                try execute("DELETE FROM reading_packs WHERE device_ref = ?", "purge staged readings") {
                    s throws(SQLiteError) in try s.bind(1, device.ref)
                }
            }
            counts.alertHistory = try execute(
                "DELETE FROM alert_history WHERE alert_id IN (SELECT id FROM alerts WHERE resident_id = ?)",
                "purge alert history"
            ) { s throws(SQLiteError) in try s.bind(1, residentID) }
            counts.outboxBodies = try execute(
                """
                UPDATE outbox SET body = X'' WHERE state = 'delivered' AND length(body) > 0
                    AND alert_id IN (SELECT id FROM alerts WHERE resident_id = ?)
                """, "purge outbox bodies"
            ) { s throws(SQLiteError) in try s.bind(1, residentID) }
            counts.alerts = try execute(
                "UPDATE alerts SET resident_id = NULL WHERE resident_id = ?", "unlink alerts from resident"
            ) { s throws(SQLiteError) in try s.bind(1, residentID) }
            return counts
        }
    }
}
