import AnxinCore

/// Staff accounts, API tokens and board sessions. Tokens and sessions are looked up by the
/// SHA-256 of their secret; the secret itself never reaches the database.
extension Store {
    private static let accountColumns = "username, display_name, role, password_hash, created_at, disabled_at"
    private static let tokenColumns = "token_hash, username, label, created_at, expires_at, revoked_at"

    // MARK: accounts

    /// Creates an account; false (nothing written) when the username is taken.
    @discardableResult
    public func createStaffAccount(_ a: StaffAccountRecord) throws(SQLiteError) -> Bool {
        try writeTransaction("create staff account") { () throws(SQLiteError) -> Bool in
            try execute(
                """
                INSERT INTO staff_accounts (\(Store.accountColumns)) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (username) DO NOTHING
                """, "create staff account"
            ) { s throws(SQLiteError) in
                try s.bind(1, a.username)
                try s.bind(2, a.displayName)
                try s.bind(3, a.role)
                try s.bind(4, a.passwordHash)
                try s.bind(5, a.createdAt)
                try s.bind(6, a.disabledAt)
            } == 1
        }
    }

    /// Changes an account's display name and role; false when there is no such account.
    @discardableResult
    public func updateStaffAccount(username: String, displayName: String, role: String) throws(SQLiteError) -> Bool {
        try writeTransaction("update staff account") { () throws(SQLiteError) -> Bool in
            try execute(
                "UPDATE staff_accounts SET display_name = ?, role = ? WHERE username = ?", "update staff account"
            ) { s throws(SQLiteError) in
                try s.bind(1, displayName)
                try s.bind(2, role)
                try s.bind(3, username)
            } == 1
        }
    }

    /// Replaces the password hash and ends every board session of the account (a new password
    /// signs everyone out); false when there is no such account.
    @discardableResult
    public func setStaffPasswordHash(username: String, hash: String) throws(SQLiteError) -> Bool {
        try writeTransaction("set staff password") { () throws(SQLiteError) -> Bool in
            let changed = try execute(
                "UPDATE staff_accounts SET password_hash = ? WHERE username = ?", "set staff password"
            ) { s throws(SQLiteError) in
                try s.bind(1, hash)
                try s.bind(2, username)
            }
            guard changed == 1 else { return false }
            try deleteStaffSessions(username: username)
            return true
        }
    }

    /// Disables an account at `at`: its sessions end and its tokens are revoked in the same
    /// commit. False when there is no such account; an account already disabled keeps its time.
    @discardableResult
    public func disableStaffAccount(username: String, at: EpochMillis) throws(SQLiteError) -> Bool {
        try writeTransaction("disable staff account") { () throws(SQLiteError) -> Bool in
            guard try readStaffAccount(username) != nil else { return false }
            try execute(
                "UPDATE staff_accounts SET disabled_at = ? WHERE username = ? AND disabled_at IS NULL",
                "disable staff account"
            ) { s throws(SQLiteError) in
                try s.bind(1, at)
                try s.bind(2, username)
            }
            try deleteStaffSessions(username: username)
            try revokeStaffTokens(username: username, label: nil, at: at)
            return true
        }
    }

    /// One account, or nil.
    public func staffAccount(username: String) throws(SQLiteError) -> StaffAccountRecord? {
        try locked { () throws(SQLiteError) -> StaffAccountRecord? in try readStaffAccount(username) }
    }

    /// Every account, disabled ones included, by username.
    public func staffAccounts() throws(SQLiteError) -> [StaffAccountRecord] {
        try locked { () throws(SQLiteError) -> [StaffAccountRecord] in
            try query(
                "SELECT \(Store.accountColumns) FROM staff_accounts ORDER BY username", "list staff accounts",
                bind: { _ throws(SQLiteError) in }, row: Store.staffAccountRecord)
        }
    }

    // MARK: tokens

    /// Stores a new token (by hash). Throws a constraint error if the account does not exist.
    public func addStaffToken(_ t: StaffTokenRecord) throws(SQLiteError) {
        try writeTransaction("add staff token") { () throws(SQLiteError) in
            try execute(
                "INSERT INTO staff_tokens (\(Store.tokenColumns)) VALUES (?, ?, ?, ?, ?, ?)", "add staff token"
            ) { s throws(SQLiteError) in
                try s.bind(1, t.tokenHash)
                try s.bind(2, t.username)
                try s.bind(3, t.label)
                try s.bind(4, t.createdAt)
                try s.bind(5, t.expiresAt)
                try s.bind(6, t.revokedAt)
            }
        }
    }

    /// Revokes one token; false when no unrevoked token has that hash.
    @discardableResult
    public func revokeStaffToken(hash: [UInt8], at: EpochMillis) throws(SQLiteError) -> Bool {
        try writeTransaction("revoke staff token") { () throws(SQLiteError) -> Bool in
            try execute(
                "UPDATE staff_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                "revoke staff token"
            ) { s throws(SQLiteError) in
                try s.bind(1, at)
                try s.bind(2, hash)
            } == 1
        }
    }

    /// Revokes an account's unrevoked tokens, all of them or those with `label`; how many.
    @discardableResult
    public func revokeStaffTokens(username: String, label: String?, at: EpochMillis) throws(SQLiteError) -> Int {
        try writeTransaction("revoke staff tokens") { () throws(SQLiteError) -> Int in
            try execute(
                """
                UPDATE staff_tokens SET revoked_at = ?1
                WHERE username = ?2 AND revoked_at IS NULL AND (?3 IS NULL OR label = ?3)
                """, "revoke staff tokens"
            ) { s throws(SQLiteError) in
                try s.bind(1, at)
                try s.bind(2, username)
                try s.bind(3, label)
            }
        }
    }

    /// An account's tokens, revoked and expired ones included, oldest first.
    public func staffTokens(username: String) throws(SQLiteError) -> [StaffTokenRecord] {
        try locked { () throws(SQLiteError) -> [StaffTokenRecord] in
            try query(
                "SELECT \(Store.tokenColumns) FROM staff_tokens WHERE username = ? ORDER BY created_at, label",
                "list staff tokens", bind: { s throws(SQLiteError) in try s.bind(1, username) },
                row: { s in
                    StaffTokenRecord(
                        tokenHash: s.blob(0), username: s.text(1), label: s.text(2), createdAt: s.int64(3),
                        expiresAt: s.optionalInt64(4), revokedAt: s.optionalInt64(5))
                })
        }
    }

    /// The enabled account a token belongs to, when the token is neither revoked nor expired at `now`.
    public func staffAccount(tokenHash: [UInt8], now: EpochMillis) throws(SQLiteError) -> StaffAccountRecord? {
        try locked { () throws(SQLiteError) -> StaffAccountRecord? in
            try query(
                """
                SELECT a.username, a.display_name, a.role, a.password_hash, a.created_at, a.disabled_at
                FROM staff_tokens t JOIN staff_accounts a ON a.username = t.username
                WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?2)
                    AND a.disabled_at IS NULL
                """, "look up staff token",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, tokenHash)
                    try s.bind(2, now)
                }, row: Store.staffAccountRecord
            ).first
        }
    }

    // MARK: sessions

    /// Stores a new board session (by hash) that ends at `expiresAt`.
    public func addStaffSession(hash: [UInt8], username: String, createdAt: EpochMillis, expiresAt: EpochMillis)
        throws(SQLiteError)
    {
        try writeTransaction("add staff session") { () throws(SQLiteError) in
            try execute(
                "INSERT INTO staff_sessions (session_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
                "add staff session"
            ) { s throws(SQLiteError) in
                try s.bind(1, hash)
                try s.bind(2, username)
                try s.bind(3, createdAt)
                try s.bind(4, expiresAt)
            }
        }
    }

    /// The enabled account a session belongs to, when the session has not expired at `now`.
    public func staffAccount(sessionHash: [UInt8], now: EpochMillis) throws(SQLiteError) -> StaffAccountRecord? {
        try locked { () throws(SQLiteError) -> StaffAccountRecord? in
            try query(
                """
                SELECT a.username, a.display_name, a.role, a.password_hash, a.created_at, a.disabled_at
                FROM staff_sessions s JOIN staff_accounts a ON a.username = s.username
                WHERE s.session_hash = ?1 AND s.expires_at > ?2 AND a.disabled_at IS NULL
                """, "look up staff session",
                bind: { s throws(SQLiteError) in
                    try s.bind(1, sessionHash)
                    try s.bind(2, now)
                }, row: Store.staffAccountRecord
            ).first
        }
    }

    /// Ends one session; false when there was none with that hash.
    @discardableResult
    public func deleteStaffSession(hash: [UInt8]) throws(SQLiteError) -> Bool {
        try writeTransaction("delete staff session") { () throws(SQLiteError) -> Bool in
            try execute("DELETE FROM staff_sessions WHERE session_hash = ?", "delete staff session") {
                s throws(SQLiteError) in try s.bind(1, hash)
            } == 1
        }
    }

    /// Ends every session of an account; how many.
    @discardableResult
    public func deleteStaffSessions(username: String) throws(SQLiteError) -> Int {
        try writeTransaction("delete staff sessions") { () throws(SQLiteError) -> Int in
            try execute("DELETE FROM staff_sessions WHERE username = ?", "delete staff sessions") {
                s throws(SQLiteError) in try s.bind(1, username)
            }
        }
    }

    /// Deletes sessions that expired at or before `now`; how many.
    @discardableResult
    public func purgeExpiredStaffSessions(now: EpochMillis) throws(SQLiteError) -> Int {
        try writeTransaction("purge staff sessions") { () throws(SQLiteError) -> Int in
            try execute("DELETE FROM staff_sessions WHERE expires_at <= ?", "purge staff sessions") {
                s throws(SQLiteError) in try s.bind(1, now)
            }
        }
    }

    // MARK: rows

    private func readStaffAccount(_ username: String) throws(SQLiteError) -> StaffAccountRecord? {
        try query(
            "SELECT \(Store.accountColumns) FROM staff_accounts WHERE username = ?", "read staff account",
            bind: { s throws(SQLiteError) in try s.bind(1, username) }, row: Store.staffAccountRecord
        ).first
    }

    private static func staffAccountRecord(_ s: SQLiteStatement) -> StaffAccountRecord {
        StaffAccountRecord(
            username: s.text(0), displayName: s.text(1), role: s.text(2), passwordHash: s.optionalText(3),
            createdAt: s.int64(4), disabledAt: s.optionalInt64(5))
    }
}
