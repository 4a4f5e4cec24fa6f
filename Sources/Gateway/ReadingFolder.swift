import Foundation
import Logging
import Store
import Synchronization

/// The thread that moves staged readings into the history table (`Store.foldStagedReadings`)
/// every `intervalMs`, on a connection of its own, so the pipeline's commits are appends.
///
/// It folds once at start (what a crash left staged), then on its interval, and everything at a
/// clean stop, after the pipeline's last commit. While the database is full it does not fold: a
/// fold first grows the history table and frees staged pages only after, so it would take the room
/// released for alerts. Failures are counted and logged at most once a minute; the rows stay
/// staged and are folded at the next try.
final class ReadingFolder: @unchecked Sendable {
    let store: Store
    let metrics: GatewayMetrics
    let logger: Logger
    let intervalMs: Int
    /// Rows per fold, and per transaction within it (how long the pipeline may wait for the lock).
    let maxRows: Int
    let chunkRows: Int

    private let stopRequested = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)
    /// Owned by the folder thread.
    private var lastFailureLog: UInt64 = 0
    /// Rows the next fold takes: halved after a fold failed on a full database (a fold writes its rows
    /// into the history table before it frees their staged pages, so it needs room for them), doubled
    /// back after each fold that succeeds.
    private var foldRows: Int

    init(
        store: Store, metrics: GatewayMetrics, logger: Logger, intervalMs: Int = 5000, maxRows: Int = 300_000,
        chunkRows: Int = 2000
    ) {
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

    private func run() {
        while true {
            let stopping = stopRequested.load(ordering: .acquiring)
            if !isFull { foldAll(untilStopRequested: !stopping) }
            if stopping { return }
            _ = wake.wait(timeout: .now() + .milliseconds(intervalMs))
        }
    }

    static let minFoldRows = 500

    private var isFull: Bool { metrics.storageTrouble.load(ordering: .relaxed) == StorageTrouble.full.rawValue }

    /// Folds until nothing more is staged; between folds, gives way when a stop was asked for, so the
    /// stop's own pass (after the pipeline's last commit) does the rest.
    private func foldAll(untilStopRequested: Bool) {
        while true {
            do {
                let outcome = try store.foldStagedReadings(maxRows: foldRows, chunkRows: chunkRows)
                foldRows = min(maxRows, foldRows * 2)
                metrics.readingsFolded.add(outcome.stored, ordering: .relaxed)
                metrics.readingsFoldRepeats.add(outcome.taken - outcome.stored, ordering: .relaxed)
                if !outcome.more { return }
                if untilStopRequested && stopRequested.load(ordering: .acquiring) { return }
            } catch {
                metrics.foldFailures.add(1, ordering: .relaxed)
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
}
