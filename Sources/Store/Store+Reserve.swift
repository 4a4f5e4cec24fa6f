import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Room kept back for alerts when the database or its filesystem fills up.
///
/// Two reserves, because there are two ways to be full: a file of zeros beside the database
/// (`<database>.reserve`) that frees real disk space when deleted, and a few pages of zeros inside
/// the database (table `reserve`) that free pages under a size cap (`PRAGMA max_page_count`).
/// When a commit fails with `SQLITE_FULL`, the pipeline releases both and commits its alerts without
/// the readings; once readings commit again, the reserves are filled back.
extension Store {
    /// Pages held in the `reserve` table (64 pages: 256 KiB at the default page size), enough for
    /// hundreds of alerts with their history and outbox rows.
    public static let reservePages = 64
    /// Bytes of the reserve file.
    public static let reserveFileBytes = 4 << 20

    /// The reserve file's path.
    public var reserveFilePath: String { path + ".reserve" }

    /// Caps the database at `pages` pages for this connection (`PRAGMA max_page_count`); past it,
    /// writes that need a new page fail with `SQLITE_FULL`. Nil or 0 leaves it unlimited.
    public func limitSize(pages: Int?) throws(SQLiteError) {
        guard let pages, pages > 0 else { return }
        try locked { () throws(SQLiteError) in
            try connection.exec("PRAGMA max_page_count = \(pages)", "cap the database size")
        }
    }

    /// Caps this connection's page cache at `kib` KiB (`PRAGMA cache_size = -kib`; 16 MiB when opened).
    public func limitCache(kib: Int) throws(SQLiteError) {
        try locked { () throws(SQLiteError) in
            try connection.exec("PRAGMA cache_size = -\(max(64, kib))", "set cache size")
        }
    }

    /// Sets how many WAL pages make a commit on this connection checkpoint the WAL into the database
    /// (`PRAGMA wal_autocheckpoint`; 0: never). A checkpoint grows the database file, so on a full disk
    /// it would spend room freed for alerts: the pipeline stops checkpoints while storage is in trouble,
    /// and the other connections never run them (the pipeline commits often enough for all).
    public func setAutoCheckpoint(pages: Int) throws(SQLiteError) {
        try locked { () throws(SQLiteError) in
            try connection.exec("PRAGMA wal_autocheckpoint = \(max(0, pages))", "set WAL auto-checkpoint")
        }
    }

    /// Fills both reserves back, as far as there is room; true when both are full size.
    @discardableResult
    public func refillReserve() -> Bool {
        var ok = true
        let attributes = try? FileManager.default.attributesOfItem(atPath: reserveFilePath)
        if (attributes?[.size] as? NSNumber)?.intValue != Self.reserveFileBytes {
            let fd = Glibc.open(reserveFilePath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            if fd >= 0 {
                let chunk = [UInt8](repeating: 0, count: 64 << 10)
                var left = Self.reserveFileBytes
                while left > 0 {
                    let n = chunk.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, min(left, chunk.count)) }
                    if n <= 0 { break }
                    left -= n
                }
                if left > 0 || fsync(fd) != 0 { ok = false }
                Glibc.close(fd)
                if !ok { unlink(reserveFilePath) }
            } else {
                ok = false
            }
        }
        do {
            try writeTransaction("fill reserve") { () throws(SQLiteError) in
                let have =
                    try query(
                        "SELECT count(*) FROM reserve", "count reserve pages", bind: { _ throws(SQLiteError) in },
                        row: { s in s.int64(0) }
                    ).first ?? 0
                guard have < Self.reservePages else { return }
                let pageSize =
                    try query(
                        "PRAGMA page_size", "read page size", bind: { _ throws(SQLiteError) in },
                        row: { s in s.int64(0) }
                    ).first ?? 4096
                for _ in Int(have)..<Self.reservePages {
                    try execute("INSERT INTO reserve (pad) VALUES (zeroblob(?))", "fill reserve") {
                        s throws(SQLiteError) in try s.bind(1, pageSize - 64)
                    }
                }
            }
        } catch {
            ok = false
        }
        return ok
    }

    /// Frees both reserves for the alerts at hand; true when anything was freed.
    @discardableResult
    public func releaseReserve() -> Bool {
        var freed = unlink(reserveFilePath) == 0
        let rows = try? writeTransaction("release reserve") { () throws(SQLiteError) -> Int in
            try execute("DELETE FROM reserve", "release reserve") { _ throws(SQLiteError) in }
        }
        if (rows ?? 0) > 0 { freed = true }
        return freed
    }
}
