import AnxinCore
import Foundation
import Logging
import XCTest

@testable import Gateway
@testable import Store

/// The gateway's reading folder, driven by hand: it folds what the pipeline staged, checkpoints the
/// WAL, and does neither while the pipeline has it paused (a full database).
final class ReadingFolderTests: XCTestCase {
    private func reading(_ i: Int) -> Reading {
        let at: EpochMillis = 1_763_770_000_000 + EpochMillis(i) * 1000
        return Reading(
            device: "W\(i % 7)", profile: "imede", kind: .heartRate, value: .number(Double(60 + i % 40)),
            measuredAt: at, receivedAt: at + 200, flags: [])
    }

    func testFoldsEverythingStagedUnlessPausedAndCheckpointsTheWAL() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anxin-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("anxin.db").path
        let pipelineStore = try Store(path: path)
        try pipelineStore.setAutoCheckpoint(pages: 0)
        let foldStore = try Store(path: path)
        try foldStore.setAutoCheckpoint(pages: 0)
        let metrics = GatewayMetrics()
        // Small folds and chunks, so one pass takes several folds of several chunks each.
        let folder = ReadingFolder(
            store: foldStore, metrics: metrics, logger: Logger(label: "test"), maxRows: 400, chunkRows: 50)

        try pipelineStore.inTransaction { for i in 0..<1000 { try pipelineStore.stageReading(reading(i)) } }
        folder.pause()
        folder.foldAll(untilStopRequested: false)
        XCTAssertEqual(try pipelineStore.stagedPackCount(), 1000, "paused: nothing folded")
        XCTAssertEqual(metrics.readingsFolded.load(ordering: .relaxed), 0)

        folder.resume()
        folder.foldAll(untilStopRequested: false)
        XCTAssertEqual(try pipelineStore.stagedPackCount(), 0)
        XCTAssertEqual(metrics.readingsFolded.load(ordering: .relaxed), 1000)
        XCTAssertEqual(metrics.foldFailures.load(ordering: .relaxed), 0)
        XCTAssertEqual(metrics.foldBehind.load(ordering: .relaxed), 0, "caught up: the pipeline need not wait")
        XCTAssertEqual(try pipelineStore.readingCount(), 1000)
        // Its last step was a checkpoint that copied the whole WAL: the next one has nothing left to copy.
        let frames = try foldStore.query(
            "PRAGMA wal_checkpoint(PASSIVE)", "check", bind: { _ throws(SQLiteError) in },
            row: { s in (s.int64(1), s.int64(2)) })
        XCTAssertEqual(frames.first?.0, frames.first?.1, "every WAL frame already checkpointed")
        XCTAssertGreaterThan(frames.first?.0 ?? 0, 0)

        // Repeats of stored readings are dropped when folded, and counted.
        try pipelineStore.inTransaction { for i in 0..<10 { try pipelineStore.stageReading(reading(i)) } }
        folder.foldAll(untilStopRequested: false)
        XCTAssertEqual(metrics.readingsFoldRepeats.load(ordering: .relaxed), 10)
        XCTAssertEqual(try pipelineStore.readingCount(), 1000)
    }

    func testBetweenFoldsItMovesTheReadingsOfAnEarlierVersionIntoBlocks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anxin-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("anxin.db").path
        let store = try Store(path: path)
        try store.appendReading(reading(0))
        let ref = try XCTUnwrap(try store.deviceRefs(["W0"]).first?.ref)
        // 25,000 rows as version 4 stored them: more than one pass moves (5 chunks of 2,000).
        let rows = (1...25_000).map { n in
            "(\(ref), \(ReadingKind.heartRate.rawValue), \(1_700_000_000_000 + Int64(n) * 60_000), \(60 + n % 40), 300, 0)"
        }
        for start in stride(from: 0, to: rows.count, by: 1000) {
            try store.connection.exec(
                "INSERT INTO readings (device_ref, kind, measured_at, value, received_lag, flags) VALUES "
                    + rows[start..<min(rows.count, start + 1000)].joined(separator: ", "), "test")
        }
        // Not in its first seconds (start-up comes first).
        let starting = GatewayMetrics()
        ReadingFolder(store: try Store(path: path), metrics: starting, logger: Logger(label: "test"))
            .foldAll(untilStopRequested: false)
        XCTAssertEqual(starting.readingsConverted.load(ordering: .relaxed), 0)
        let metrics = GatewayMetrics()
        let folder = ReadingFolder(
            store: try Store(path: path), metrics: metrics, logger: Logger(label: "test"), convertDelayMs: 0)
        folder.pause()
        folder.foldAll(untilStopRequested: false)
        XCTAssertEqual(metrics.readingsConverted.load(ordering: .relaxed), 0, "paused: nothing moved")
        folder.resume()
        var passes = 0
        while try store.hasEarlierReadings(), passes < 10 {
            folder.foldAll(untilStopRequested: false)
            passes += 1
        }
        XCTAssertEqual(passes, 3, "10,000 rows a pass")
        XCTAssertEqual(metrics.readingsConverted.load(ordering: .relaxed), 25_000)
        XCTAssertEqual(try store.readingCount(), 25_001)
        XCTAssertEqual(metrics.foldFailures.load(ordering: .relaxed), 0)
        XCTAssertTrue(metrics.render().contains("anxin_readings_converted_total 25000"))
    }

    /// The folder's throttle counts the CPU a step took, not the time it waited (for the pipeline's
    /// commits, for its fsync): waiting is not counted, working is.
    func testTheThrottleClockCountsCPUNotWaiting() {
        let start = ReadingFolder.threadCPUNanoseconds()
        usleep(50_000)
        let afterWait = ReadingFolder.threadCPUNanoseconds()
        XCTAssertLessThan(afterWait &- start, 20_000_000, "50 ms asleep is not CPU")
        // Work until the clock has counted 20 ms (however busy the machine, within 10 s): it moves
        // with work, and never faster than the wall clock.
        var x: UInt64 = 1
        let wall = DispatchTime.now().uptimeNanoseconds
        while ReadingFolder.threadCPUNanoseconds() &- afterWait < 20_000_000,
            DispatchTime.now().uptimeNanoseconds - wall < 10_000_000_000
        {
            for _ in 0..<10_000 { x = x &* 6_364_136_223_846_793_005 &+ 1 }
        }
        XCTAssertNotEqual(x, 0)
        let worked = ReadingFolder.threadCPUNanoseconds() &- afterWait
        XCTAssertGreaterThanOrEqual(worked, 20_000_000, "work is counted")
        XCTAssertLessThanOrEqual(worked, DispatchTime.now().uptimeNanoseconds - wall + 1_000_000)
    }
}
