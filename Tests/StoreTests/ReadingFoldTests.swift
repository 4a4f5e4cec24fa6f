import AnxinCore
import XCTest

@testable import Store

/// Staged readings (the pipeline's appends) are seen by every query at once, and folding moves them
/// into the clustered table without losing, repeating or resurrecting any.
final class ReadingFoldTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000

    private func reading(_ device: String, _ kind: ReadingKind, _ value: Double, at: EpochMillis) -> Reading {
        Reading(
            device: device, profile: "imede", kind: kind, value: .number(value), measuredAt: at, receivedAt: at + 300,
            flags: [])
    }

    private func stage(_ store: Store, _ readings: [Reading]) throws {
        try store.inTransaction { for r in readings { XCTAssertTrue(try store.stageReading(r)) } }
    }

    func testStagedReadingsAreQueriedBeforeAndAfterTheFold() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        // One reading already stored straight; the staged copy of it must not show twice.
        let stored = reading("W1", .heartRate, 70, at: t0)
        XCTAssertTrue(try store.appendReading(stored))
        var staged = [stored]
        for i in 1...20 {
            staged.append(reading("W1", .heartRate, Double(70 + i), at: t0 + EpochMillis(i) * 1000))
            staged.append(reading("B1", .respirationRate, Double(14 + i % 3), at: t0 + EpochMillis(i) * 1000))
        }
        staged.append(reading("W1", .spo2, 97, at: t0 + 5000))
        staged.append(reading("W1", .spo2, 97, at: t0 + 5000))  // a redelivery, staged twice
        try stage(store, staged)
        XCTAssertEqual(try store.stagedPackCount(), staged.count)

        let history = try store.readings(device: ["W1", "B1"], kind: nil, since: t0, limit: 1000)
        let latest = try store.latestReadings(devices: ["W1", "B1"], since: t0)
        let tenHeartRates = try store.readings(device: ["W1"], kind: .heartRate, since: t0, limit: 10)
        XCTAssertEqual(history.count, 42, "21 heart rates, 20 respiration rates, one SpO2: repeats shown once")
        XCTAssertEqual(tenHeartRates.map(\.measuredAt), (11...20).reversed().map { t0 + EpochMillis($0) * 1000 })
        XCTAssertEqual(latest.map(\.kind), [.heartRate, .spo2, .respirationRate])
        XCTAssertEqual(latest.first?.value, .number(90))

        let outcome = try store.foldStagedReadings(maxRows: 1000, chunkRows: 7)
        XCTAssertEqual(outcome, FoldOutcome(taken: 43, stored: 41, more: false))
        XCTAssertEqual(try store.stagedPackCount(), 0)
        XCTAssertEqual(try store.readingCount(), 42)
        XCTAssertEqual(try store.readings(device: ["W1", "B1"], kind: nil, since: t0, limit: 1000), history)
        XCTAssertEqual(try store.latestReadings(devices: ["W1", "B1"], since: t0), latest)
        XCTAssertEqual(try store.readings(device: ["W1"], kind: .heartRate, since: t0, limit: 10), tenHeartRates)
    }

    func testAFoldTakesAtMostMaxRowsAndSaysWhenMoreAreStaged() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try stage(store, (0..<25).map { reading("D\($0 % 4)", .steps, Double($0), at: t0 + EpochMillis($0)) })
        let first = try store.foldStagedReadings(maxRows: 10, chunkRows: 3)
        XCTAssertEqual(first, FoldOutcome(taken: 10, stored: 10, more: true))
        XCTAssertEqual(try store.stagedPackCount(), 15)
        XCTAssertEqual(try store.readingCount(), 25)
        // Readings staged while folding go after the ones already staged.
        try stage(store, [reading("D9", .steps, 1, at: t0)])
        XCTAssertEqual(try store.foldStagedReadings(maxRows: 10, chunkRows: 3).more, true)
        XCTAssertEqual(try store.foldStagedReadings(maxRows: 10, chunkRows: 3), FoldOutcome(taken: 6, stored: 6))
        XCTAssertEqual(try store.foldStagedReadings(), FoldOutcome())
        XCTAssertEqual(try store.readingCount(), 26)
        XCTAssertEqual(try store.stagedPackCount(), 0)
    }

    func testAFoldCutShortIsDoneAgainWithoutRepeats() throws {
        // A crash after some chunks were written leaves every row staged: the next fold writes the
        // written ones again, and the key drops them.
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        let rows = (0..<30).map { reading("W\($0 % 3)", .heartRate, Double(60 + $0), at: t0 + EpochMillis($0)) }
        try stage(store, rows)
        try store.inTransaction { for r in rows.prefix(12) { try store.appendReading(r) } }
        store.close()
        let again = try Store(path: tmp.file("anxin.db"))
        XCTAssertEqual(try again.foldStagedReadings(), FoldOutcome(taken: 30, stored: 18))
        XCTAssertEqual(try again.readingCount(), 30)
        XCTAssertEqual(
            try again.readings(device: ["W0", "W1", "W2"], kind: nil, since: 0, limit: 100).map(\.measuredAt),
            rows.map(\.measuredAt).reversed())
    }

    func testAResidentPurgedWhileAFoldRunsStaysPurged() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        let other = try Store(path: tmp.file("anxin.db"))
        try stage(store, (0..<40).map { reading($0 % 2 == 0 ? "W1" : "W2", .heartRate, 70, at: t0 + EpochMillis($0)) })
        let outcome = try store.foldStagedReadings(maxRows: 1000, chunkRows: 5) { () throws(SQLiteError) in
            // The purge (another process, `anxin purge`) commits after the fold sorted its rows.
            let counts = try other.purgeResident(residentID: "R1", devices: ["W1"])
            XCTAssertEqual(counts.readings, 20)
            // Rows staged meanwhile by the pipeline are not part of this fold and are kept.
            try other.stageReading(self.reading("W2", .spo2, 96, at: self.t0))
        }
        XCTAssertEqual(outcome, FoldOutcome(taken: 40, stored: 20))
        XCTAssertEqual(try store.readings(device: ["W1"], kind: nil, since: 0, limit: 100), [])
        XCTAssertEqual(try store.readings(device: ["W2"], kind: nil, since: 0, limit: 100).count, 21)
        XCTAssertEqual(try store.stagedPackCount(), 1, "only the reading staged during the fold is left")
        XCTAssertEqual(try store.foldStagedReadings(), FoldOutcome(taken: 1, stored: 1))
        XCTAssertEqual(try store.readingCount(), 21)
    }

    /// A fold held a part at a time (device ranges read one after another) stores what a fold in one
    /// part stores: every device's readings, repeats dropped, in the same blocks.
    func testAFoldInPartsStoresWhatAFoldInOnePartStores() throws {
        let tmp = try TempFolder(self)
        let whole = try Store(path: tmp.file("whole.db"))
        let parts = try Store(path: tmp.file("parts.db"))
        var rng = SplitMix64(seed: 7)
        let devices = (0..<23).map { "W\($0)" }
        var rows: [Reading] = []
        for i in 0..<600 {
            let device = devices[Int(rng.next() % UInt64(devices.count))]
            let kind: ReadingKind = [.heartRate, .spo2, .steps][Int(rng.next() % 3)]
            // Some late samples and some repeats of a reading already staged.
            let at = t0 + EpochMillis(i) * 1000 - (rng.next() % 5 == 0 ? 30_000 : 0)
            rows.append(reading(device, kind, Double(60 + rng.next() % 40), at: at))
            if rng.next() % 10 == 0, let r = rows.randomElement(using: &rng) { rows.append(r) }
        }
        for store in [whole, parts] {
            // Staged as messages: a few readings of one device each.
            var i = 0
            while i < rows.count {
                var end = i + 1
                while end < rows.count, end - i < 4, rows[end].device == rows[i].device { end += 1 }
                try store.inTransaction { () throws(SQLiteError) in try store.stageReadings(rows[i..<end]) }
                i = end
            }
        }
        var wholeSteps = 0
        let one = try whole.foldStagedReadings(maxRows: 10_000, chunkRows: 50, afterSort: nil) { wholeSteps += 1 }
        // 64 bytes a part: about one device each.
        var steps = 0
        let many = try parts.foldStagedReadings(maxRows: 10_000, chunkRows: 50, partBytes: 64, afterSort: nil) {
            steps += 1
        }
        XCTAssertEqual(many, one)
        // In one part, 50 readings a step; in parts, a step for each device's part at least.
        XCTAssertLessThan(wholeSteps, devices.count)
        XCTAssertGreaterThanOrEqual(steps, devices.count, "a part per device, not one fold")
        XCTAssertEqual(try parts.stagedPackCount(), 0)
        XCTAssertEqual(try parts.readingCount(), try whole.readingCount())
        XCTAssertEqual(
            try parts.readings(device: devices, kind: nil, since: 0, limit: 10_000),
            try whole.readings(device: devices, kind: nil, since: 0, limit: 10_000))
        XCTAssertEqual(
            try parts.latestReadings(devices: devices, since: 0), try whole.latestReadings(devices: devices, since: 0))
    }

    /// A resident purged while a fold in parts runs stays purged, whether its device's part was already
    /// written or not.
    func testAResidentPurgedBetweenPartsStaysPurged() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        let other = try Store(path: tmp.file("anxin.db"))
        let devices = ["W1", "W2", "W3", "W4"]
        try stage(
            store, (0..<80).map { reading(devices[$0 % 4], .heartRate, Double(60 + $0), at: t0 + EpochMillis($0)) })
        var purged = false
        let outcome = try store.foldStagedReadings(maxRows: 1000, chunkRows: 5, partBytes: 64, afterSort: nil) {
            () throws(SQLiteError) in
            guard !purged, try store.readings(device: ["W1"], kind: nil, since: 0, limit: 100).count == 20 else {
                return
            }
            // W1's part is written, W4's not yet: purge both.
            purged = true
            _ = try other.purgeResident(residentID: "R1", devices: ["W1", "W4"])
        }
        XCTAssertTrue(purged)
        XCTAssertEqual(outcome.taken, 80)
        XCTAssertEqual(try store.readings(device: ["W1", "W4"], kind: nil, since: 0, limit: 100), [])
        XCTAssertEqual(try store.readings(device: ["W2", "W3"], kind: nil, since: 0, limit: 100).count, 40)
        XCTAssertEqual(try store.stagedPackCount(), 0)
    }

    func testPurgeDeletesStagedReadingsButBlanksTheNewestRowAndNaNIsNotStaged() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try stage(
            store,
            [
                reading("W1", .heartRate, 72, at: t0), reading("W2", .heartRate, 80, at: t0),
                reading("W1", .heartRate, 73, at: t0 + 1),
            ])
        try store.inTransaction { XCTAssertFalse(try store.stageReading(self.reading("W1", .spo2, .nan, at: self.t0))) }
        XCTAssertEqual(try store.purgeResident(residentID: "R1", devices: ["W1"]).readings, 2)
        XCTAssertEqual(try store.readingCount(), 1)
        XCTAssertEqual(try store.latestReadings(devices: ["W1"], since: 0), [])
        // The newest staged row keeps the table's highest rowid, blanked: nothing of the reading is left.
        XCTAssertEqual(try store.stagedPackCount(), 2)
        let blanked = try store.query(
            "SELECT count(*) FROM reading_packs WHERE device_ref = 0 AND count = 0 AND length(data) = 0", "check",
            bind: { _ throws(SQLiteError) in }, row: { s in s.int(0) })
        XCTAssertEqual(blanked, [1])
        XCTAssertEqual(try store.foldStagedReadings(), FoldOutcome(taken: 1, stored: 1))
        XCTAssertEqual(try store.stagedPackCount(), 0)
        XCTAssertEqual(try store.readings(device: ["W2"], kind: nil, since: 0, limit: 10).map(\.value), [.number(80)])
    }

    func testFoldRefusesToRunInsideATransaction() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        XCTAssertThrowsError(try store.inTransaction { try store.foldStagedReadings() })
    }
}

/// The fold's ordering of one device's readings (kind, measured time, value, staged order), by grouping
/// kinds and sorting a kind only when it is out of order: the same as a full sort, on random mixes of
/// kinds, repeated times and values, and readings late or early.
final class FoldOrderingTests: XCTestCase {
    func testGroupingByKindOrdersAsAFullSortWould() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        defer { store.close() }
        var rng = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let n = [0, 1, 2, 7, 40, 200][round % 6]
            var entries: [FoldEntry] = []
            for seq in 0..<n {
                // Mostly in time order, as staged; a share of rounds with readings out of order.
                let late = round % 3 == 0 && Int.random(in: 0..<5, using: &rng) == 0
                let t = Int64(seq / 4) * 1000 - (late ? Int64.random(in: 0...5000, using: &rng) : 0)
                let row = StoredRow(
                    measuredAt: t, value: Double(Int.random(in: 60...62, using: &rng)), receivedLag: 0,
                    flags: Int64(seq), lon: nil, accuracyM: nil)
                entries.append(
                    FoldEntry(
                        kind: UInt8([0, 1, 2, 5, 9][Int.random(in: 0..<5, using: &rng)]), seq: Int32(seq), row: row))
            }
            let expected = entries.sorted { a, b in
                if a.kind != b.kind { return a.kind < b.kind }
                if a.row.measuredAt != b.row.measuredAt { return a.row.measuredAt < b.row.measuredAt }
                if a.row.value != b.row.value { return a.row.value < b.row.value }
                return a.seq < b.seq
            }
            store.foldScratch = entries
            store.groupFoldScratchByKind()
            XCTAssertEqual(store.foldScratch.map(\.seq), expected.map(\.seq), "round \(round), \(n) readings")
        }
    }
}
