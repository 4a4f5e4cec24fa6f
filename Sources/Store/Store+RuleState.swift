extension Store {
    /// Saves one rule's state blob under `key`; nil deletes it. Call inside the transaction that
    /// stores what the rule decided, so state and decisions survive a restart together.
    public func saveRuleState(key: String, blob: [UInt8]?) throws(SQLiteError) {
        try writeTransaction("save rule state") { () throws(SQLiteError) in
            if let blob {
                try execute(
                    "INSERT INTO rule_state (key, blob) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET blob = excluded.blob",
                    "save rule state"
                ) { s throws(SQLiteError) in
                    try s.bind(1, key)
                    try s.bind(2, blob)
                }
            } else {
                try execute("DELETE FROM rule_state WHERE key = ?", "delete rule state") { s throws(SQLiteError) in
                    try s.bind(1, key)
                }
            }
        }
    }

    /// Every saved rule state, by key.
    public func loadRuleState() throws(SQLiteError) -> [String: [UInt8]] {
        try locked { () throws(SQLiteError) -> [String: [UInt8]] in
            let rows = try query(
                "SELECT key, blob FROM rule_state", "load rule state", bind: { _ throws(SQLiteError) in },
                row: { s in (s.text(0), s.blob(1)) })
            return Dictionary(rows, uniquingKeysWith: { _, last in last })
        }
    }

    /// Every saved rule state row, in no particular order, without collecting them first: a city's
    /// 255,000 rows are decoded as they are read.
    public func forEachRuleState(_ body: (_ key: String, _ blob: [UInt8]) -> Void) throws(SQLiteError) {
        try locked { () throws(SQLiteError) in
            try withStatement("SELECT key, blob FROM rule_state") { stmt throws(SQLiteError) in
                while try stmt.step("load rule state") { body(stmt.text(0), stmt.blob(1)) }
            }
        }
    }

    /// The number of saved subjects (`subject:…` rows) and devices (`device:…`), each a range of the key,
    /// so the engine's tables are made their size at once (a city has more subjects than residents).
    public func ruleStateCounts() throws(SQLiteError) -> (subjects: Int, devices: Int) {
        try locked { () throws(SQLiteError) -> (subjects: Int, devices: Int) in
            // ';' follows ':' in ASCII: each range is exactly the keys with the prefix.
            try query(
                """
                SELECT (SELECT count(*) FROM rule_state WHERE key >= 'subject:' AND key < 'subject;'),
                       (SELECT count(*) FROM rule_state WHERE key >= 'device:' AND key < 'device;')
                """, "count rule state", bind: { _ throws(SQLiteError) in },
                row: { s in (Int(s.int64(0)), Int(s.int64(1))) }
            ).first ?? (0, 0)
        }
    }

    /// A small setting kept with the data (for example the registry cache fingerprint); nil when unset.
    public func meta(_ key: String) throws(SQLiteError) -> String? {
        try locked { () throws(SQLiteError) -> String? in
            try query(
                "SELECT value FROM meta WHERE key = ?", "read setting",
                bind: { s throws(SQLiteError) in try s.bind(1, key) }, row: { s in s.text(0) }
            ).first
        }
    }

    /// Sets a small setting; nil removes it.
    public func setMeta(_ key: String, _ value: String?) throws(SQLiteError) {
        try writeTransaction("write setting") { () throws(SQLiteError) in
            if let value {
                try execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    "write setting"
                ) { s throws(SQLiteError) in
                    try s.bind(1, key)
                    try s.bind(2, value)
                }
            } else {
                try execute("DELETE FROM meta WHERE key = ?", "delete setting") { s throws(SQLiteError) in
                    try s.bind(1, key)
                }
            }
        }
    }
}
