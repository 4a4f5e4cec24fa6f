import AnxinCore
import Foundation
import XCTest

@testable import Store

/// On a real full filesystem (a small tmpfs, where the machine lets the test mount one): a WAL holding
/// pages the database file does not have yet can only be checkpointed by growing that file. If a
/// checkpoint runs after the reserve is released, it spends the freed room, the WAL cannot restart,
/// and every later commit needs room it no longer has: the alert the reserve was released for never
/// commits. With checkpoints stopped (as the pipeline does while the disk is full), it commits.
final class StoreFullFilesystemTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000

    private func run(_ tool: String, _ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Fills a fresh store on a 16 MB tmpfs with checkpoints off, releases the reserve with
    /// `autoCheckpointAfterRelease`, then commits up to 200 alert-sized transactions; returns how many
    /// committed before the first failure, and that failure.
    private func commitsAfterRelease(autoCheckpointAfterRelease pages: Int) throws -> (Int, SQLiteError?) {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("anxin-fs-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", folder.path]) else {
            try? FileManager.default.removeItem(at: folder)
            throw XCTSkip("this machine does not let the test mount a tmpfs")
        }
        defer {
            _ = run("/bin/umount", [folder.path])
            try? FileManager.default.removeItem(at: folder)
        }
        let store = try Store(path: folder.appendingPathComponent("anxin.db").path)
        defer { store.close() }
        XCTAssertTrue(store.refillReserve())
        // Checkpoints off while filling, as during a flood the WAL outgrows what was checkpointed.
        try store.setAutoCheckpoint(pages: 0)
        var n = 0
        var full: SQLiteError?
        while full == nil, n < 2_000_000 {
            let chunk = (n..<n + 2000).map {
                Reading(
                    device: "dev-\($0)", profile: "imede", kind: .heartRate, value: .number(Double(60 + $0 % 30)),
                    measuredAt: t0 + EpochMillis($0) * 1000, receivedAt: t0 + EpochMillis($0) * 1000)
            }
            do {
                try store.inTransaction { for r in chunk { _ = try store.appendReading(r) } }
                n += 2000
            } catch let e as SQLiteError {
                full = e
            }
        }
        XCTAssertEqual(full?.code, SQLiteError.full, "the filesystem filled up")
        XCTAssertGreaterThan(n, 10_000)
        try store.setAutoCheckpoint(pages: pages)
        XCTAssertTrue(store.releaseReserve())
        // Alerts one after another, each in its own durable commit, as the pipeline commits them.
        for i in 0..<200 {
            do {
                try store.inTransaction(durable: true) {
                    _ = try store.appendReading(
                        Reading(
                            device: "sos-watch", profile: "imede", kind: .heartRate, value: .number(120),
                            measuredAt: t0 - 1 - EpochMillis(i), receivedAt: t0))
                }
            } catch let e as SQLiteError {
                return (i, e)
            }
        }
        return (200, nil)
    }

    func testCheckpointsStoppedTheAlertCommitsAfterTheReserveIsReleased() throws {
        let (committed, error) = try commitsAfterRelease(autoCheckpointAfterRelease: 0)
        XCTAssertNil(error)
        XCTAssertEqual(committed, 200, "the released room lasts for many alerts")
    }

    /// The failure the pipeline avoids, shown (it is what one run in 65 of FaultFullDiskTests hit): the
    /// checkpoint after the release grows the database into the freed room, the WAL cannot restart, and
    /// the very first alert commit fails.
    func testACheckpointAfterTheReleaseSpendsTheRoomFreedForAlerts() throws {
        let (committed, error) = try commitsAfterRelease(autoCheckpointAfterRelease: 1)
        XCTAssertEqual(error?.code, SQLiteError.full)
        XCTAssertEqual(committed, 0, "not even the first alert")
    }
}
