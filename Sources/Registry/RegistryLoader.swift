import AnxinCore
import Synchronization

/// Loads the resident registry (SPEC section 5): residents, beds and which device
/// belongs to whom. Every entry point is strict and reports every problem at once as
/// `path:line: message`; a caller that gets `RegistryLoadError` keeps the registry it has.
public enum RegistryLoader {
    /// Parses a registry YAML file into an indexed snapshot.
    public static func load(path: String) throws(RegistryLoadError) -> RegistrySnapshot {
        try parseFile(path: path).0
    }

    /// As `load(path:)`, but reuses a cache in `cacheDirectory` when the file's size,
    /// modification time and content hash are unchanged, so that a large registry is not
    /// re-parsed at every start. Any cache problem falls back to parsing; a fresh parse
    /// rewrites the cache atomically. With `cacheDirectory` nil it never caches.
    ///
    /// With `writeCacheInBackground`, a fresh parse's cache is written on a background queue (a
    /// fifth of a second for 100,000 residents), so that the daemon is ready without waiting for it;
    /// a process that exits at once may leave it unwritten, which costs the next start a parse.
    ///
    /// With `reuseLastLoaded`, an unchanged registry is answered with the snapshot this process last
    /// loaded for the same path (a reload then shares the snapshot in use instead of decoding a
    /// second copy: 90 MB at the peak for 100,000 residents).
    public static func load(
        path: String, cacheDirectory: String?, writeCacheInBackground: Bool = false, reuseLastLoaded: Bool = false
    ) throws(RegistryLoadError) -> (RegistrySnapshot, fromCache: Bool) {
        guard let cacheDirectory else { return (try load(path: path), false) }
        let cache = RegistryCache(directory: cacheDirectory, registryPath: path)
        // The file is only read whole when it has to be parsed.
        let current = RegistryFingerprint(streamingFile: path)
        if let current {
            // A reload of an unchanged registry shares the snapshot in use instead of a second copy.
            if reuseLastLoaded,
                let snapshot = lastLoaded.withLock({
                    $0?.path == path && $0?.fingerprint == current ? $0?.snapshot : nil
                })
            {
                return (snapshot, true)
            }
            if let snapshot = cache.snapshot(matching: current) {
                if reuseLastLoaded { lastLoaded.withLock { $0 = (path, current, snapshot) } }
                return (snapshot, true)
            }
        }
        let (snapshot, fingerprint) = try parseFile(path: path)
        if reuseLastLoaded { lastLoaded.withLock { $0 = (path, fingerprint, snapshot) } }
        if writeCacheInBackground {
            RegistryCache.writes.async { cache.store(snapshot, fingerprint: fingerprint) }
        } else {
            cache.store(snapshot, fingerprint: fingerprint)
        }
        return (snapshot, false)
    }

    /// The registry the last cached load returned, by path and fingerprint (the one the daemon runs on).
    private typealias Loaded = (path: String, fingerprint: RegistryFingerprint, snapshot: RegistrySnapshot)
    private static let lastLoaded = Mutex<Loaded?>(nil)

    /// Waits until every cache write queued by `load(path:cacheDirectory:writeCacheInBackground:)`
    /// is done; what the daemon calls as it stops.
    public static func finishCacheWrites() {
        RegistryCache.writes.sync {}
    }

    /// Imports an institution's spreadsheet export (UTF-8 with or without BOM, or
    /// GB18030); the columns are listed in `RegistryCSVColumn`.
    public static func importCSV(path: String) throws(RegistryLoadError) -> RegistrySnapshot {
        try importCSV(bytes: try RegistryFile.read(path: path), path: path)
    }

    /// As `importCSV(path:)`, from bytes already read; `path` only names the source in
    /// diagnostics. The fuzzer's entry.
    public static func importCSV(bytes: [UInt8], path: String) throws(RegistryLoadError) -> RegistrySnapshot {
        var log = RegistryDiagnostics(path: path)
        guard let text = RegistryTextDecoding.decodeSpreadsheet(bytes, log: &log) else { throw log.error }
        var reader = RegistryCSVReader(log: log)
        let draft = reader.read(text)
        log = reader.log
        draft.validate(into: &log)
        guard log.isEmpty else { throw log.error }
        return draft.snapshot
    }

    /// The registry as YAML in the SPEC section 5 shape, loadable by `load(path:)`;
    /// what `anxin registry import FILE.csv` prints.
    public static func renderYAML(_ snapshot: RegistrySnapshot) -> String {
        RegistryYAMLWriter.render(snapshot)
    }

    /// Reads and parses the file at `path`; the snapshot and the fingerprint of the bytes it was parsed
    /// from. The file's bytes (31 MB for 100,000 residents) are let go as soon as the usual layout is
    /// composed, before its parts are joined and the snapshot is built; a file the direct reader
    /// declines, or one with a problem to report, is read again for Yams.
    static func parseFile(path: String) throws(RegistryLoadError) -> (RegistrySnapshot, RegistryFingerprint) {
        var bytes = try RegistryFile.read(path: path)
        let fingerprint = RegistryFingerprint(bytes: bytes, path: path)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return (try parseYAML(bytes: bytes, path: path), fingerprint)
        }
        // The direct reader takes the bytes and lets go of them once its parts are composed.
        if let draft = RegistryBlockYAML.draft(bytes: consume bytes, path: path, releasingRead: true),
            let snapshot = draft.validatedSnapshot(path: path)
        {
            return (snapshot, fingerprint)
        }
        // Another layout, or a problem to report: Yams reads the file again, as it is now.
        bytes = try RegistryFile.read(path: path)
        return (try parseYAML(bytes: bytes, path: path), RegistryFingerprint(bytes: bytes, path: path))
    }

    /// As `load(path:)`, from bytes already read; `path` only names the source in diagnostics.
    /// The fuzzer's entry.
    public static func parseYAML(bytes: [UInt8], path: String) throws(RegistryLoadError) -> RegistrySnapshot {
        var log = RegistryDiagnostics(path: path)
        // Checked without keeping a copy of a large file as text: only Yams needs the text.
        guard String(validating: bytes, as: UTF8.self) != nil else {
            log.report(line: 0, "the registry is not UTF-8 text")
            throw log.error
        }
        // The usual layout is composed directly; anything else, and any registry with a problem,
        // is read with Yams, which reports every problem with its line.
        if let draft = RegistryBlockYAML.draft(bytes: bytes, path: path) {
            if let snapshot = draft.validatedSnapshot(path: path) { return snapshot }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var reader = RegistryYAMLReader(path: path)
        let draft = reader.read(text)
        log = reader.log
        draft.validate(into: &log)
        guard log.isEmpty else { throw log.error }
        return draft.snapshot
    }
}
