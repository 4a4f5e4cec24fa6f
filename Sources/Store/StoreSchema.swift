/// The database schema as append-only, numbered migrations.
///
/// Migration `n` (1-based) is `migrations[n - 1]`; `PRAGMA user_version` records how many ran.
/// Never edit or reorder an entry that has shipped: add a new one. The SQL names no
/// application type; enum values are spelled out here as the strings and integers they are on disk.
enum StoreSchema {
    static let migrations: [String] = [
        // 1: the first schema.
        """
        CREATE TABLE devices (
            id          INTEGER PRIMARY KEY,
            device      TEXT NOT NULL UNIQUE,
            profile     TEXT NOT NULL,
            first_seen  INTEGER NOT NULL,
            last_seen   INTEGER NOT NULL,
            registered  INTEGER NOT NULL DEFAULT 0
        );

        -- Layout: WITHOUT ROWID, clustered on (device_ref, kind, measured_at, value).
        -- The primary key is the duplicate filter (INSERT OR IGNORE), and it is also the order
        -- every staff query reads in: a device's history of one kind since a time is one range
        -- scan, the latest value of a kind is one backwards seek. A rowid table would need a
        -- unique index repeating those columns, so two B-trees to write instead of one.
        -- Measured (SQLite 3.40, 100k rows over 2,000 and 10,000 devices, 1,000-row WAL
        -- transactions, synchronous=NORMAL): WITHOUT ROWID 31.5-35.3 bytes/row and 77k-164k
        -- rows/s; rowid + unique index 57.6-61.6 bytes/row and 67k-146k rows/s; history
        -- queries alike. Inserts land at each device's tail, so a batch dirties about one page
        -- per device in either layout.
        -- Compact encoding: value holds the number, 0/1 for a yes/no kind, or the latitude of
        -- a location (lon and accuracy_m are NULL for every other kind); received_lag is
        -- received_at - measured_at (usually a few bytes instead of six); flags holds the
        -- observation flags in bits 0-15 and a location's source in bits 16-23. SQLite writes
        -- whole-number REALs as small integers, so a heart rate of 78 takes one byte.
        CREATE TABLE readings (
            device_ref    INTEGER NOT NULL REFERENCES devices(id),
            kind          INTEGER NOT NULL,
            measured_at   INTEGER NOT NULL,
            value         REAL NOT NULL,
            received_lag  INTEGER NOT NULL,
            flags         INTEGER NOT NULL,
            lon           REAL,
            accuracy_m    REAL,
            PRIMARY KEY (device_ref, kind, measured_at, value)
        ) WITHOUT ROWID;

        CREATE TABLE alerts (
            id               TEXT PRIMARY KEY NOT NULL,
            rule             TEXT NOT NULL,
            severity         TEXT NOT NULL CHECK (severity IN ('critical', 'urgent', 'warning', 'info')),
            state            TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
            resident_id      TEXT,
            device           TEXT NOT NULL,
            trigger_json     TEXT NOT NULL,
            occurred_at      INTEGER NOT NULL,
            opened_at        INTEGER NOT NULL,
            updated_at       INTEGER NOT NULL,
            acknowledged_at  INTEGER,
            acknowledged_by  TEXT,
            resolved_at      INTEGER,
            resolved_by      TEXT,
            escalated_at     INTEGER,
            incident_id      TEXT,
            incident_state   TEXT CHECK (incident_state IN ('pending', 'delivered', 'rejected')),
            ticket           TEXT
        );
        CREATE INDEX alerts_by_opened ON alerts (opened_at, id);
        CREATE INDEX alerts_by_state ON alerts (state, opened_at, id);
        CREATE INDEX alerts_by_resident ON alerts (resident_id, state) WHERE resident_id IS NOT NULL;
        CREATE INDEX alerts_by_incident ON alerts (incident_id) WHERE incident_id IS NOT NULL;

        CREATE TABLE alert_history (
            id        INTEGER PRIMARY KEY,
            alert_id  TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            at        INTEGER NOT NULL,
            action    TEXT NOT NULL CHECK (action IN
                ('opened', 'updated', 'acknowledged', 'escalated', 'delivered', 'rejected', 'resolved')),
            actor     TEXT,
            note      TEXT,
            detail    TEXT
        );
        CREATE INDEX alert_history_by_alert ON alert_history (alert_id, at, id);

        CREATE TABLE outbox (
            id               TEXT PRIMARY KEY NOT NULL,
            alert_id         TEXT NOT NULL REFERENCES alerts(id) DEFERRABLE INITIALLY DEFERRED,
            priority         INTEGER NOT NULL,
            body             BLOB NOT NULL,
            created_at       INTEGER NOT NULL,
            state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'rejected')),
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  INTEGER NOT NULL,
            last_status      INTEGER,
            last_error       TEXT,
            ticket           TEXT,
            delivered_at     INTEGER,
            rejected_at      INTEGER
        );
        CREATE INDEX outbox_by_state ON outbox (state, priority, created_at);

        CREATE TABLE rule_state (
            key   TEXT PRIMARY KEY NOT NULL,
            blob  BLOB NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE meta (
            key    TEXT PRIMARY KEY NOT NULL,
            value  TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
        // 2: the duty board: deliveries to staff channels and hotline follow-ups through the same
        // outbox, escalation progress and silences on alerts, staff accounts, the audit log.
        """
        ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'hotline';
        ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'incident'
            CHECK (kind IN ('incident', 'update', 'notice'));
        CREATE INDEX outbox_by_alert ON outbox (alert_id);

        ALTER TABLE alerts ADD COLUMN silence_id INTEGER;
        ALTER TABLE alerts ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE alerts ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE alerts ADD COLUMN hotline_status TEXT;

        CREATE TABLE alert_history_v2 (
            id        INTEGER PRIMARY KEY,
            alert_id  TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            at        INTEGER NOT NULL,
            action    TEXT NOT NULL CHECK (action IN
                ('opened', 'updated', 'acknowledged', 'escalated', 'notified', 'delivered', 'rejected',
                 'resolved', 'cancelled', 'silenced', 'followup')),
            actor     TEXT,
            note      TEXT,
            detail    TEXT
        );
        INSERT INTO alert_history_v2 (id, alert_id, at, action, actor, note, detail)
            SELECT id, alert_id, at, action, actor, note, detail FROM alert_history;
        DROP TABLE alert_history;
        ALTER TABLE alert_history_v2 RENAME TO alert_history;
        CREATE INDEX alert_history_by_alert ON alert_history (alert_id, at, id);

        CREATE TABLE silences (
            id          INTEGER PRIMARY KEY,
            scope       TEXT NOT NULL CHECK (scope IN ('resident', 'device', 'rule')),
            target      TEXT NOT NULL,
            reason      TEXT NOT NULL,
            created_by  TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            ends_at     INTEGER NOT NULL,
            lifted_at   INTEGER,
            lifted_by   TEXT
        );
        CREATE INDEX silences_in_force ON silences (ends_at) WHERE lifted_at IS NULL;

        CREATE TABLE staff_accounts (
            username       TEXT PRIMARY KEY NOT NULL,
            display_name   TEXT NOT NULL,
            role           TEXT NOT NULL CHECK (role IN ('viewer', 'oncall', 'admin')),
            password_hash  TEXT,
            created_at     INTEGER NOT NULL,
            disabled_at    INTEGER
        ) WITHOUT ROWID;

        CREATE TABLE staff_tokens (
            token_hash  BLOB PRIMARY KEY NOT NULL,
            username    TEXT NOT NULL REFERENCES staff_accounts(username),
            label       TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER,
            revoked_at  INTEGER
        ) WITHOUT ROWID;

        CREATE TABLE staff_sessions (
            session_hash  BLOB PRIMARY KEY NOT NULL,
            username      TEXT NOT NULL REFERENCES staff_accounts(username),
            created_at    INTEGER NOT NULL,
            expires_at    INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE audit_log (
            id       INTEGER PRIMARY KEY,
            at       INTEGER NOT NULL,
            actor    TEXT NOT NULL,
            role     TEXT,
            action   TEXT NOT NULL,
            target   TEXT,
            note     TEXT,
            outcome  TEXT NOT NULL DEFAULT 'ok'
        );
        CREATE INDEX audit_by_at ON audit_log (at, id);
        """,
        // 3: pages held back for alerts when the database or its disk is full (Store+Reserve).
        """
        CREATE TABLE reserve (
            id   INTEGER PRIMARY KEY,
            pad  BLOB NOT NULL
        );
        """,
        // 4: the pipeline's readings land in an unindexed append-only table first, and a folder moves
        // them into `readings`, sorted by its key, every few seconds (Store+Fold). Inserting straight
        // into the clustered table put each reading of a 100 ms batch on its own leaf page (one page
        // per device and kind), so every batch rewrote thousands of pages; folded, a page is
        // rewritten once per fold for all the rows it gains. Same columns as `readings`; queries read
        // both tables.
        """
        CREATE TABLE readings_stage (
            device_ref    INTEGER NOT NULL,
            kind          INTEGER NOT NULL,
            measured_at   INTEGER NOT NULL,
            value         REAL NOT NULL,
            received_lag  INTEGER NOT NULL,
            flags         INTEGER NOT NULL,
            lon           REAL,
            accuracy_m    REAL
        );
        """,
        // 5: the history in blocks. The folder merges staged readings into one row per device, kind
        // and stretch of time (ReadingBlock.swift): a row of its own for every reading cost the fold
        // a B-tree insert each (~5 µs) and ~35 bytes on disk; a block of ~900 bytes holds 100-150
        // readings, and a fold rewrites about one block per device and kind. The key is the order
        // every staff query reads in (a device's history of a kind since a time is one range,
        // the latest value the last block). Blocks of one device and kind never overlap in time.
        // `readings` keeps what earlier versions stored: queries, retention and purges still read
        // and delete there, nothing new is written to it.
        """
        CREATE TABLE reading_blocks (
            device_ref  INTEGER NOT NULL,
            kind        INTEGER NOT NULL,
            first_at    INTEGER NOT NULL,
            last_at     INTEGER NOT NULL,
            count       INTEGER NOT NULL,
            data        BLOB NOT NULL,
            PRIMARY KEY (device_ref, kind, first_at)
        ) WITHOUT ROWID;
        """,
        // 6: the stage holds a row per message and device (`reading_packs`, ReadingPack.swift), not per
        // reading: the pipeline's commit inserted ~4 rows of 8 columns for every message, and the fold
        // read them all back column by column. A pack is the message's readings encoded as in a block,
        // each with its kind. The rows of `readings_stage` (what a crash left staged) are moved into
        // packs by `Store.afterMigration` in the same transaction, and the table is dropped.
        """
        CREATE TABLE reading_packs (
            device_ref  INTEGER NOT NULL,
            count       INTEGER NOT NULL,
            data        BLOB NOT NULL
        );
        """,
    ]
}
