import AnxinCore
import Logging
import ServiceLifecycle
import Store

/// Deletes readings older than `storage.retention_days`: once shortly after start, then every
/// six hours, until graceful shutdown.
///
/// It works on its own writable `Store` connection and commits device by device
/// (`Store.purgeExpiredReadings(before:)`), so the pipeline's writer is never held up for long.
/// Logs only counts and the cutoff, never a resident or a device. With 0 days it does nothing.
public final class RetentionService: Service, Sendable {
    let store: Store
    let retentionDays: Int
    let clock: any WallClock
    let logger: Logger
    let firstRunDelay: Duration
    let interval: Duration

    /// - Parameters:
    ///   - store: a writable connection of its own.
    ///   - retentionDays: `storage.retention_days`; 0 keeps readings forever.
    ///   - firstRunDelay: wait after start before the first purge (60 s), so start-up is not slowed.
    ///   - interval: time between purges (6 h).
    public init(
        store: Store, retentionDays: Int, clock: any WallClock, logger: Logger,
        firstRunDelay: Duration = .seconds(60), interval: Duration = .seconds(6 * 3600)
    ) {
        self.store = store
        self.retentionDays = retentionDays
        self.clock = clock
        self.logger = logger
        self.firstRunDelay = firstRunDelay
        self.interval = interval
    }

    /// Purges on schedule until graceful shutdown (or cancellation).
    public func run() async throws {
        guard retentionDays > 0 else {
            logger.info("reading retention off: readings are kept forever")
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: self.firstRunDelay)
            while !Task.isCancelled {
                self.purgeOnce()
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// The oldest measured time kept at the clock's current time; nil when retention is off.
    public var cutoff: EpochMillis? {
        retentionDays > 0 ? clock.now() - EpochMillis(retentionDays) * 86_400_000 : nil
    }

    /// Deletes the expired readings now; the number deleted, nil when retention is off or the
    /// store failed (logged; the next run tries again).
    @discardableResult
    public func purgeOnce() -> Int? {
        guard let cutoff else { return nil }
        do throws(SQLiteError) {
            let deleted = try store.purgeExpiredReadings(before: cutoff)
            logger.info(
                "expired readings deleted",
                metadata: ["deleted": "\(deleted)", "retention_days": "\(retentionDays)", "cutoff": "\(cutoff)"])
            return deleted
        } catch {
            logger.error(
                "deleting expired readings failed; retried at the next run",
                metadata: ["error": "\(error.description)", "remedy": "\(error.remedy)"])
            return nil
        }
    }
}
