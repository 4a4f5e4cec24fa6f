import AnxinCore
import Foundation
import Ingest
import Logging
import Store
import Synchronization

/// The thread that moves staged readings into the history table (`Store.beginFold`, `foldStep`, `finishFold`)
/// every `intervalMs`, on a connection of its own, so the pipeline's commits are appends.
///
/// Folds are seconds apart and large on purpose: a fold costs about one block rewrite per device and
/// kind, however many readings each gained, so at full rate a 1 s fold (one or two readings per device
/// and kind) cost the gateway a third of its CPU. Queries read the stage meanwhile, so nothing waits
/// for a fold to see a reading.
///
/// It folds once at start (what a crash left staged), then on its interval, and everything at a
/// clean stop, after the pipeline's last commit. While the pipeline has it paused (the database is
/// full) it neither folds nor checkpoints: a fold first grows the history table and frees staged
/// pages only after, and a checkpoint grows the database file, so either would take the room
/// released for alerts. Failures are counted and logged at most once a minute; the rows stay staged
/// and are folded at the next try.
final class ReadingFolder: @unchecked Sendable {
    let store: Store
    let metrics: GatewayMetrics
    let logger: Logger
    let intervalMs: Int
    /// Readings per fold, and per transaction within it (how long the pipeline may wait for the lock).
    /// A fold takes what is staged up to `maxRows`, held in memory a range of devices at a time
    /// (`Store.foldPartBytes`). It costs about one block rewrite per device and kind (~18 µs each on
    /// the EPYC host with the broker and publisher beside it), so with 10,000 devices sending flat out,
    /// folds of up to 2,000,000 took a third less of the folder's CPU than folds of 500,000
    /// (BENCHMARKS.md).
    let maxRows: Int
    let chunkRows: Int

    private let stopRequested = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)
    /// True while paused; every write the folder makes (a chunk, a delete, a checkpoint) runs holding
    /// it, so `pause()` returns only once none is under way.
    private let paused = Mutex<Bool>(false)
    /// Owned by the folder thread.
    private var lastFailureLog: UInt64 = 0
    /// Rows the next fold takes: halved after a fold failed on a full database (a fold writes its rows
    /// into the history table before it frees their staged pages, so it needs room for them), doubled
    /// back after each fold that succeeds.
    private var foldRows: Int

    /// Moving the readings of an earlier version into blocks waits this long after start.
    let convertDelayMs: Int

    init(
        store: Store, metrics: GatewayMetrics, logger: Logger, intervalMs: Int = 5000, maxRows: Int = 2_000_000,
        chunkRows: Int = 1000, convertDelayMs: Int = 10_000
    ) {
        self.convertDelayMs = convertDelayMs
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.intervalMs = intervalMs
        self.maxRows = maxRows
        self.chunkRows = chunkRows
        foldRows = maxRows
    }

    func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let t = Thread { [self] in
            ThreadTuning.nameCurrentThread("anxin-fold")
            run()
            done.signal()
        }
        t.name = "anxin-fold"
        t.start()
    }

    /// Folds everything still staged (after the pipeline's last commit) and ends the thread.
    func stopAndWait() {
        guard started.load(ordering: .acquiring) else { return }
        stopRequested.store(true, ordering: .releasing)
        wake.signal()
        done.wait()
    }

    /// Stops folding and checkpointing; returns once no fold step is under way (at most one chunk).
    func pause() { paused.withLock { $0 = true } }

    func resume() {
        paused.withLock { $0 = false }
        wake.signal()
    }

    /// Runs one write of the fold unless paused; false when paused.
    private func unlessPaused(_ body: () throws(SQLiteError) -> Void) throws(SQLiteError) -> Bool {
        try paused.withLock { (p: inout Bool) throws(SQLiteError) -> Bool in
            if p { return false }
            try body()
            return true
        }
    }

    private func run() {
        while true {
            let stopping = stopRequested.load(ordering: .acquiring)
            foldAll(untilStopRequested: !stopping)
            if stopping { return }
            _ = wake.wait(timeout: .now() + .milliseconds(intervalMs))
        }
    }

    static let minFoldRows = 500
    /// Past this many staged rows not yet written (the fold's own included, as `anxin_readings_fold_behind`
    /// counts them), it folds flat out; past `Pipeline.maxFoldBehindRows` the pipeline waits for it (the
    /// stage must stay bounded).
    static let unthrottledBehindRows = 750_000

    /// Folds until nothing more is staged; between folds, gives way when a stop was asked for, so the
    /// stop's own pass (after the pipeline's last commit) does the rest. Checkpoints the WAL every
    /// `checkpointEveryChunks` chunks and after each fold (nothing else does: a checkpoint on the
    /// pipeline's commit would hold an emergency behind copying the fold's pages).
    func foldAll(untilStopRequested: Bool) {
        while true {
            do {
                if paused.withLock({ $0 }) { return }
                guard var batch = try store.beginFold(maxRows: foldRows) else {
                    metrics.foldBehind.store(0, ordering: .relaxed)
                    if !stopRequested.load(ordering: .relaxed) { try convertSome() }
                    _ = try unlessPaused { () throws(SQLiteError) in try store.checkpointPassive() }
                    return
                }
                metrics.foldBehind.store(Int(batch.behind) + batch.taken, ordering: .relaxed)
                var chunks = 0
                while !batch.written {
                    let began = Self.threadCPUNanoseconds()
                    guard
                        try unlessPaused({ () throws(SQLiteError) in try store.foldStep(&batch, chunkRows: chunkRows) })
                    else { return }
                    // At most half a core while the backlog is moderate: the pipeline (and the broker beside
                    // it) keep their share, so a fold never holds an emergency back by starving them.
                    // A clean stop's last pass runs flat out. What counts is the CPU the step took, not
                    // its wall time: a step also waits for the pipeline's commits and for its own fsync,
                    // and sleeping that long again held the fold to a tenth of a core (BENCHMARKS.md).
                    // Behind counts the fold's own rows not yet written.
                    let behind = Int(batch.behind) + max(0, batch.taken - (chunks + 1) * chunkRows)
                    if behind < Self.unthrottledBehindRows, !stopRequested.load(ordering: .relaxed) {
                        let spent = Self.threadCPUNanoseconds() &- began
                        usleep(UInt32(min(spent / 1000, 100_000)))
                    }
                    chunks += 1
                    metrics.foldBehind.store(behind, ordering: .relaxed)
                    if chunks % Self.checkpointEveryChunks == 0 {
                        _ = try unlessPaused { () throws(SQLiteError) in try store.checkpointPassive() }
                    }
                }
                guard
                    try unlessPaused({ () throws(SQLiteError) in
                        try store.finishFold(batch, chunkRows: chunkRows)
                        try store.checkpointPassive()
                    })
                else { return }
                foldRows = min(maxRows, foldRows * 2)
                metrics.readingsFolded.add(batch.stored, ordering: .relaxed)
                metrics.readingsFoldRepeats.add(batch.taken - batch.stored, ordering: .relaxed)
                if !batch.more { return }
                if untilStopRequested && stopRequested.load(ordering: .acquiring) { return }
            } catch {
                metrics.foldFailures.add(1, ordering: .relaxed)
                // A folder that fails holds nobody back: the pipeline keeps staging (failures are logged).
                metrics.foldBehind.store(0, ordering: .relaxed)
                if error.code == SQLiteError.full { foldRows = max(Self.minFoldRows, foldRows / 2) }
                let now = DispatchTime.now().uptimeNanoseconds
                if lastFailureLog == 0 || now - lastFailureLog >= 60_000_000_000 {
                    lastFailureLog = now
                    logger.error(
                        "folding staged readings failed; they stay staged and are tried again",
                        metadata: ["error": "\(error)"])
                }
                return
            }
        }
    }

    /// Whether rows stored by earlier versions (a row each in `readings`) are left to move into blocks:
    /// unknown (nil) until the first look.
    private var earlierLeft: Bool?
    /// Chunks of them moved after each fold that leaves nothing staged.
    static let convertChunksPerInterval = 5
    /// When moving may start: `convertDelayMs` after the folder's first look (owned by the folder thread).
    private var convertFrom: UInt64 = 0
    static let convertChunkRows = 2_000

    /// Moves a few chunks of the rows earlier versions stored into blocks, throttled like a fold (half a
    /// core at most), once nothing is staged. A database that never had any costs one look, once.
    private func convertSome() throws(SQLiteError) {
        // Not in the first seconds: start-up (READY, the broker's backlog) comes first.
        let now = DispatchTime.now().uptimeNanoseconds
        if convertFrom == 0 { convertFrom = now + UInt64(convertDelayMs) * 1_000_000 }
        if now < convertFrom { return }
        if earlierLeft == nil {
            earlierLeft = try store.hasEarlierReadings()
            if earlierLeft == true {
                logger.notice("moving the readings an earlier version stored into the history's blocks, between folds")
            }
        }
        guard earlierLeft == true else { return }
        for _ in 0..<Self.convertChunksPerInterval {
            let began = Self.threadCPUNanoseconds()
            var moved = 0
            guard
                try unlessPaused({ () throws(SQLiteError) in
                    moved = try store.convertEarlierReadings(maxRows: Self.convertChunkRows)
                })
            else { return }
            metrics.readingsConverted.add(moved, ordering: .relaxed)
            if moved == 0 {
                earlierLeft = false
                logger.notice("every reading an earlier version stored is now in the history's blocks")
                return
            }
            let spent = Self.threadCPUNanoseconds() &- began
            usleep(UInt32(min(spent / 1000, 100_000)))
        }
    }

    /// CPU time of the calling thread (user and system), ns.
    static func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 else { return 0 }
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// WAL pages a chunk writes are checkpointed this many chunks apart, so the WAL stays small.
    static let checkpointEveryChunks = 5
}
