import AnxinCore
import XCTest

@testable import Store

/// The history's blocks: the encoding keeps every column exactly, folds and appends merge into the
/// right block without repeats, and every query and delete sees a reading wherever its block is.
final class ReadingBlockTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000

    private func randomRows(_ n: Int, seed: UInt64) -> [StoredRow] {
        var rng = SplitMix64(seed: seed)
        var at = t0
        var rows: [StoredRow] = []
        for _ in 0..<n {
            at += Int64(rng.below(4)) * Int64(rng.below(100_000))
            let value: Double
            switch rng.below(6) {
            case 0: value = Double(rng.below(200))
            case 1: value = -Double(rng.below(1 << 40))
            case 2: value = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)
            case 3: value = -0.0
            case 4: value = 1e300
            default: value = 31.2 + Double(rng.below(1000)) / 1e6
            }
            let located = rng.below(3) == 0
            rows.append(
                StoredRow(
                    measuredAt: at, value: value, receivedLag: Int64(rng.below(5_000)) - 1_000,
                    flags: rng.below(2) == 0 ? 0 : Int64(rng.below(1 << 24)),
                    lon: located ? 121.4 + Double(rng.below(1000)) / 1e4 : nil,
                    accuracyM: located && rng.below(2) == 0 ? Double(rng.below(50)) : nil))
        }
        return rows.sorted(by: StoredRow.precedes)
    }

    func testEncodingKeepsEveryColumnBitForBitAndSplitsWithoutOverlap() {
        for seed in UInt64(1)...20 {
            var rows = randomRows(700, seed: seed)
            // Repeats are the merge's business; the codec takes repeat-free rows.
            rows = ReadingBlockCodec.merge(stored: [], new: rows)
            let blocks = ReadingBlockCodec.encode(rows)
            XCTAssertGreaterThan(blocks.count, 1)
            var decoded: [StoredRow] = []
            for (i, block) in blocks.enumerated() {
                if i > 0 { XCTAssertGreaterThan(block.firstAt, blocks[i - 1].lastAt, "blocks overlap (seed \(seed))") }
                let part = ReadingBlockCodec.decode(block.data, firstAt: block.firstAt, count: block.count)
                // Over the size only with rows of one time at its end, which are never split.
                let times = part?.suffix(2).map(\.measuredAt) ?? []
                XCTAssertTrue(
                    block.data.count <= ReadingBlockCodec.targetBytes || (times.count == 2 && times[0] == times[1]),
                    "block of \(block.data.count) bytes")
                XCTAssertEqual(part?.first?.measuredAt, block.firstAt)
                XCTAssertEqual(part?.last?.measuredAt, block.lastAt)
                decoded += part ?? []
            }
            XCTAssertEqual(decoded.count, rows.count)
            for (a, b) in zip(decoded, rows) {
                XCTAssertEqual(a.measuredAt, b.measuredAt)
                XCTAssertEqual(a.value.bitPattern, b.value.bitPattern, "value \(b.value) (seed \(seed))")
                XCTAssertEqual(a.receivedLag, b.receivedLag)
                XCTAssertEqual(a.flags, b.flags)
                XCTAssertEqual(a.lon?.bitPattern, b.lon?.bitPattern)
                XCTAssertEqual(a.accuracyM?.bitPattern, b.accuracyM?.bitPattern)
            }
        }
    }

    func testRowsAppendedWithTheirAbsoluteTimeDecodeAlike() {
        // What `appendInPlace` writes: a block's bytes, then rows whose first carries its own time.
        let rows = ReadingBlockCodec.merge(stored: [], new: randomRows(300, seed: 11))
        var data: [UInt8] = []
        var previous: Int64?
        for (i, row) in rows.enumerated() {
            // Every 7th row starts an appended run, as each fold's first row does.
            ReadingBlockCodec.append(row, after: i % 7 == 0 ? nil : previous, to: &data)
            previous = row.measuredAt
        }
        let decoded = ReadingBlockCodec.decode(data, firstAt: 0, count: rows.count)
        XCTAssertEqual(decoded?.map(\.measuredAt), rows.map(\.measuredAt))
        XCTAssertEqual(decoded?.map(\.value.bitPattern), rows.map(\.value.bitPattern))
        XCTAssertEqual(decoded?.map(\.receivedLag), rows.map(\.receivedLag))
    }

    func testAFoldHoldsTwentyFourBytesAPackAndPacksRoundTrip() {
        // A fold holds every pack it takes (500,000 readings' worth) and sorts them, not their readings.
        XCTAssertEqual(MemoryLayout<FoldPack>.stride, 24)
        var out: [UInt8] = []
        let rows = randomRows(40, seed: 3)
        var previous: Int64?
        for (n, row) in rows.enumerated() {
            ReadingPackCodec.append(kind: UInt8(n % 9), row, previous: previous, to: &out)
            previous = row.measuredAt
        }
        let decoded = decodePack(out)
        XCTAssertEqual(decoded?.map(\.kind), (0..<40).map { UInt8($0 % 9) })
        XCTAssertEqual(decoded?.map(\.row.measuredAt), rows.map(\.measuredAt), "unsorted times, deltas either way")
        XCTAssertEqual(decoded?.map(\.row.value.bitPattern), rows.map(\.value.bitPattern))
        XCTAssertEqual(decoded?.map(\.row.lon), rows.map(\.lon))
        XCTAssertNil(decodePack(Array(out.dropLast(2))))
        XCTAssertNil(decodePack([1]), "a kind without its reading")
    }

    func testAMessageIsOneStagedRowAndReadsBackAsItsReadings() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        let message = [
            hr("W1", 72, at: t0), hr("W1", 73, at: t0 + 1000),
            Reading(device: "W1", profile: "imede", kind: .spo2, value: .number(.nan), measuredAt: t0, receivedAt: t0),
            Reading(
                device: "W1", profile: "imede", kind: .location,
                value: .location(Location(lat: 31.2, lon: 121.5, accuracyM: 12, source: .wifi)), measuredAt: t0 - 5000,
                receivedAt: t0 + 300),
            hr("W2", 80, at: t0),
        ]
        XCTAssertEqual(try store.inTransaction { try store.stageReadings(message) }, 4, "NaN is not staged")
        XCTAssertEqual(try store.stagedPackCount(), 2, "a row for W1's readings, one for W2's")
        XCTAssertEqual(try store.readingCount(), 4)
        let w1 = try store.readings(device: ["W1"], kind: nil, since: 0, limit: 10)
        XCTAssertEqual(w1.count, 3)
        XCTAssertEqual(
            try store.readings(device: ["W1"], kind: .location, since: 0, limit: 10).first?.value,
            .location(Location(lat: 31.2, lon: 121.5, accuracyM: 12, source: .wifi)))
        XCTAssertEqual(try store.readings(device: ["W1"], kind: .heartRate, since: t0 + 1, limit: 10).count, 1)
        XCTAssertEqual(try store.foldStagedReadings(), FoldOutcome(taken: 4, stored: 4))
        XCTAssertEqual(try store.readings(device: ["W1"], kind: nil, since: 0, limit: 10), w1)
    }

    func testDamagedBlocksDoNotDecode() {
        let rows = ReadingBlockCodec.merge(stored: [], new: randomRows(50, seed: 7))
        let block = ReadingBlockCodec.encode(rows)[0]
        XCTAssertNil(
            ReadingBlockCodec.decode(Array(block.data.dropLast(3)), firstAt: block.firstAt, count: block.count))
        XCTAssertNil(ReadingBlockCodec.decode([0xFF] + block.data, firstAt: block.firstAt))
        XCTAssertNil(ReadingBlockCodec.decode(block.data, firstAt: block.firstAt, count: block.count + 1))
        XCTAssertNil(ReadingBlockCodec.decode([0, 0x80, 0x80], firstAt: 0), "a varint cut short")
    }

    func testArbitraryBytesNeverCrashTheDecoder() {
        // A block comes from the database file, which a disk or a person can damage: any bytes either
        // decode to some rows or to nil, never a crash or a hang.
        var rng = SplitMix64(seed: 99)
        let valid = ReadingBlockCodec.encode(ReadingBlockCodec.merge(stored: [], new: randomRows(40, seed: 5)))[0]
        var decodedSome = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.below(64))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                // A valid block with a few bytes changed, cut or added.
                bytes = valid.data
                for _ in 0...rng.below(3) where !bytes.isEmpty {
                    bytes[Int(rng.below(UInt64(bytes.count)))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if rng.below(2) == 0 { bytes.removeLast(Int(rng.below(UInt64(bytes.count) + 1))) }
            }
            if let rows = ReadingBlockCodec.decode(bytes, firstAt: valid.firstAt) {
                decodedSome += 1
                XCTAssertLessThanOrEqual(rows.count, bytes.count, "every row takes at least one byte")
            }
        }
        XCTAssertGreaterThan(decodedSome, 0)
    }

    func testMergeDropsRepeatsOfStoredAndOfEachOther() {
        let stored = [10, 20, 30].map { StoredRow(measuredAt: $0, value: 1, receivedLag: 5, flags: 0) }
        let new = [
            StoredRow(measuredAt: 5, value: 2, receivedLag: 0, flags: 0),
            StoredRow(measuredAt: 20, value: 1, receivedLag: 99, flags: 0),  // a repeat: the stored one stays
            StoredRow(measuredAt: 20, value: 3, receivedLag: 0, flags: 0),  // same time, another value: kept
            StoredRow(measuredAt: 40, value: 1, receivedLag: 1, flags: 0),
            StoredRow(measuredAt: 40, value: 1, receivedLag: 2, flags: 0),  // a staged redelivery
        ]
        let merged = ReadingBlockCodec.merge(stored: stored, new: new)
        XCTAssertEqual(merged.map(\.measuredAt), [5, 10, 20, 20, 30, 40])
        XCTAssertEqual(merged.map(\.receivedLag), [0, 5, 5, 0, 5, 1])
    }

    private func hr(_ device: String, _ value: Double, at: EpochMillis) -> Reading {
        Reading(
            device: device, profile: "imede", kind: .heartRate, value: .number(value), measuredAt: at,
            receivedAt: at + 250, flags: [])
    }

    /// The readings of a pack; nil when the bytes are not a valid pack.
    private func decodePack(_ data: [UInt8]) -> [(kind: UInt8, row: StoredRow)]? {
        var out: [(kind: UInt8, row: StoredRow)] = []
        let ok = data.withUnsafeBufferPointer { buf in ReadingPackCodec.forEach(buf) { out.append(($0, $1)) } }
        return ok ? out : nil
    }

    private func blocks(_ store: Store) throws -> [(firstAt: Int64, lastAt: Int64, count: Int, bytes: Int)] {
        try store.query(
            "SELECT first_at, last_at, count, length(data) FROM reading_blocks ORDER BY device_ref, kind, first_at",
            "check", bind: { _ throws(SQLiteError) in },
            row: { s in (s.int64(0), s.int64(1), s.int(2), s.int(3)) })
    }

    func testFoldsGrowBlocksInPlaceAndLateReadingsLandInTheirBlock() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        // 20 folds of 50 heart rates each, one a second, as the folder would see a busy wristband.
        for fold in 0..<20 {
            try store.inTransaction {
                for i in 0..<50 {
                    let n = fold * 50 + i
                    try store.stageReading(hr("W1", Double(60 + n % 40), at: t0 + EpochMillis(n) * 1000))
                }
            }
            XCTAssertEqual(try store.foldStagedReadings(), FoldOutcome(taken: 50, stored: 50))
        }
        var table = try blocks(store)
        XCTAssertEqual(table.reduce(0) { $0 + $1.count }, 1000)
        XCTAssertGreaterThan(table.count, 3)
        XCTAssertLessThan(table.count, 15, "blocks fill to about \(ReadingBlockCodec.targetBytes) bytes")
        for (a, b) in zip(table, table.dropFirst()) { XCTAssertLessThan(a.lastAt, b.firstAt) }
        let bytesPerReading = Double(table.reduce(0) { $0 + $1.bytes }) / 1000
        XCTAssertLessThan(bytesPerReading, 8, "a heart rate a second")

        // A late reading (another value at a stored time, and one between two stored ones) goes into
        // the block that holds its time; its repeat, and repeats of stored ones, are dropped.
        let late = [
            hr("W1", 200, at: t0 + 100_000), hr("W1", 201, at: t0 + 100_500), hr("W1", 201, at: t0 + 100_500),
            hr("W1", Double(60 + 7 % 40), at: t0 + 7_000),
        ]
        try store.inTransaction { for r in late { try store.stageReading(r) } }
        XCTAssertEqual(try store.foldStagedReadings(), FoldOutcome(taken: 4, stored: 2))
        XCTAssertFalse(try store.appendReading(hr("W1", 201, at: t0 + 100_500)))
        XCTAssertTrue(try store.appendReading(hr("W1", 202, at: t0 + 100_500)))
        table = try blocks(store)
        XCTAssertEqual(table.reduce(0) { $0 + $1.count }, 1003)
        for (a, b) in zip(table, table.dropFirst()) { XCTAssertLessThan(a.lastAt, b.firstAt) }
        XCTAssertEqual(try store.readingCount(), 1003)

        let since = try store.readings(device: ["W1"], kind: .heartRate, since: t0 + 99_000, limit: 5000)
        XCTAssertEqual(since.count, 901 + 3)
        XCTAssertEqual(since.prefix(2).map(\.measuredAt), [t0 + 999_000, t0 + 998_000])
        // Newest first; at one time, the greater value first.
        XCTAssertEqual(
            since.suffix(6).map { [Double($0.measuredAt - t0), $0.value.number ?? -1] },
            [[101_000, 81], [100_500, 202], [100_500, 201], [100_000, 200], [100_000, 80], [99_000, 79]])
        XCTAssertEqual(try store.readings(device: ["W1"], kind: nil, since: 0, limit: 5000).count, 1003)
        XCTAssertEqual(try store.latestReadings(devices: ["W1"], since: 0).map(\.measuredAt), [t0 + 999_000])
        XCTAssertEqual(try store.latestReadings(devices: ["W1"], since: t0 + 999_001), [])
        let last = try XCTUnwrap(try store.readings(device: ["W1"], kind: nil, since: 0, limit: 1).first)
        XCTAssertEqual(last, hr("W1", Double(60 + 999 % 40), at: t0 + 999_000))
    }

    /// Wristbands report whole seconds, so a fold often starts inside the second its device's last
    /// block ends with, and buffered uploads reach back into it: the last block is rewritten under its
    /// own key, in order, without repeats, and without a second block.
    func testReadingsSharingTheLastStoredSecondRewriteTheLastBlockUnderItsKey() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            for i in 0..<10 { try store.stageReading(hr("W1", Double(70 + i), at: t0 + EpochMillis(i) * 1000)) }
        }
        XCTAssertEqual(try store.foldStagedReadings(), FoldOutcome(taken: 10, stored: 10))
        XCTAssertEqual(try blocks(store).map(\.firstAt), [t0])

        let next = [
            hr("W1", 50, at: t0 + 9000), hr("W1", 79, at: t0 + 9000), hr("W1", 90, at: t0 + 9000),
            hr("W1", 71, at: t0 + 1000), hr("W1", 65, at: t0 + 4500), hr("W1", 80, at: t0 + 10_000),
        ]
        try store.inTransaction { for r in next { try store.stageReading(r) } }
        XCTAssertEqual(
            try store.foldStagedReadings(), FoldOutcome(taken: 6, stored: 4),
            "79 at the last second and 71 at the second second are stored already")
        let table = try blocks(store)
        XCTAssertEqual(table.count, 1)
        XCTAssertEqual(table.first?.firstAt, t0)
        XCTAssertEqual(table.first?.lastAt, t0 + 10_000)
        XCTAssertEqual(table.first?.count, 14)
        let rows = try store.readings(device: ["W1"], kind: .heartRate, since: 0, limit: 100)
        XCTAssertEqual(
            rows.prefix(6).map { [Double($0.measuredAt - t0), $0.value.number ?? -1] },
            [[10_000, 80], [9000, 90], [9000, 79], [9000, 50], [8000, 78], [7000, 77]])
        XCTAssertEqual(rows.count, 14)
        XCTAssertEqual(rows.filter { $0.measuredAt == t0 + 4500 }.map(\.value), [.number(65)])
    }

    func testPruneCutsTheBlockThatStraddlesTheCutoffAndPurgeDeletesEveryBlock() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            for n in 0..<600 {
                try store.stageReading(hr("W1", Double(60 + n % 40), at: t0 + EpochMillis(n) * 1000))
                try store.stageReading(hr("W2", 70, at: t0 + EpochMillis(n) * 1000))
            }
        }
        XCTAssertEqual(try store.foldStagedReadings().stored, 1200)
        let cutoff = t0 + 250_500
        // A cutoff inside a block, not at its edge, so the cut is tested.
        XCTAssertTrue(try blocks(store).contains { $0.firstAt < cutoff && $0.lastAt >= cutoff })
        XCTAssertEqual(try store.purgeExpiredReadings(before: cutoff), 2 * 251)
        XCTAssertEqual(try store.readingCount(), 2 * 349)
        XCTAssertEqual(
            try store.readings(device: ["W1"], kind: .heartRate, since: 0, limit: 1000).last?.measuredAt,
            t0 + 251_000)
        XCTAssertEqual(try store.pruneReadings(before: t0 + 300_000), 2 * 49)
        XCTAssertEqual(try store.purgeResident(residentID: "R1", devices: ["W1"]).readings, 300)
        XCTAssertEqual(try store.readingCount(), 300)
        XCTAssertEqual(try store.readings(device: ["W1"], kind: nil, since: 0, limit: 10), [])
        XCTAssertEqual(try store.readings(device: ["W2"], kind: nil, since: 0, limit: 1000).count, 300)
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testRowsOfEarlierVersionsAreStillReadCountedAndDeleted() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        XCTAssertTrue(try store.appendReading(hr("W1", 70, at: t0 + 5_000)))
        let ref = try XCTUnwrap(try store.deviceRefs(["W1"]).first?.ref)
        // As version 4 stored them: a row each in `readings`.
        for n in 0..<5 {
            try store.connection.exec(
                """
                INSERT INTO readings (device_ref, kind, measured_at, value, received_lag, flags)
                VALUES (\(ref), \(ReadingKind.heartRate.rawValue), \(t0 + Int64(n) * 1000), \(80 + n), 250, 0)
                """, "test")
        }
        XCTAssertEqual(try store.readingCount(), 6)
        XCTAssertEqual(
            try store.readings(device: ["W1"], kind: .heartRate, since: 0, limit: 10).map(\.value),
            [70, 84, 83, 82, 81, 80].map { .number($0) })
        XCTAssertEqual(try store.latestReadings(devices: ["W1"], since: 0).first?.value, .number(70))
        XCTAssertEqual(try store.purgeExpiredReadings(before: t0 + 2_000), 2)
        XCTAssertEqual(try store.purgeResident(residentID: "R1", devices: ["W1"]).readings, 4)
        XCTAssertEqual(try store.readingCount(), 0)
    }

    func testRowsOfEarlierVersionsMoveIntoBlocksChunkByChunkAndReadTheSame() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        // Blocks since the upgrade: W1's newest heart rates, one of them also among the old rows.
        for n in 95..<100 {
            XCTAssertTrue(try store.appendReading(hr("W1", Double(60 + n % 40), at: t0 + Int64(n) * 1000)))
        }
        try store.appendReading(hr("W2", 70, at: t0))
        let refs = Dictionary(uniqueKeysWithValues: try store.deviceRefs(["W1", "W2"]).map { ($0.device, $0.ref) })
        // As version 4 stored them: a row each in `readings`, two kinds, and two values at one time.
        var sql: [String] = []
        for n in 0..<96 {
            sql.append(
                "(\(refs["W1"]!), \(ReadingKind.heartRate.rawValue), \(t0 + Int64(n) * 1000), \(60 + n % 40), 250, 0)")
            sql.append("(\(refs["W1"]!), \(ReadingKind.spo2.rawValue), \(t0 + Int64(n) * 1000), \(95 + n % 4), 250, 0)")
        }
        sql.append("(\(refs["W1"]!), \(ReadingKind.spo2.rawValue), \(t0 + 5_000), 99.5, 250, 0)")
        sql.append("(\(refs["W2"]!), \(ReadingKind.heartRate.rawValue), \(t0 + 1_000), 71, 250, 0)")
        try store.connection.exec(
            "INSERT INTO readings (device_ref, kind, measured_at, value, received_lag, flags) VALUES "
                + sql.joined(separator: ", "), "test")
        let before = try store.readings(device: ["W1", "W2"], kind: nil, since: 0, limit: 1000)
        XCTAssertEqual(before.count, 100 + 96 + 1 + 2, "the repeat at 95 s shows once")
        XCTAssertTrue(try store.hasEarlierReadings())

        var moved = 0
        var chunks = 0
        while case let n = try store.convertEarlierReadings(maxRows: 7), n > 0 {
            moved += n
            chunks += 1
        }
        XCTAssertEqual(moved, 96 * 2 + 2)
        XCTAssertGreaterThan(chunks, 25, "7 rows at most a chunk")
        XCTAssertFalse(try store.hasEarlierReadings())
        XCTAssertEqual(try store.readings(device: ["W1", "W2"], kind: nil, since: 0, limit: 1000), before)
        XCTAssertEqual(try store.readingCount(), before.count, "the repeat is stored once")
        let spo2 = try store.readings(device: ["W1"], kind: .spo2, since: t0 + 5_000, limit: 1000)
        XCTAssertEqual(spo2.suffix(2).map(\.value), [.number(99.5), .number(96)], "two values at one time")
        let keyed = try store.query(
            "SELECT device_ref, kind, first_at, last_at FROM reading_blocks ORDER BY device_ref, kind, first_at",
            "check", bind: { _ throws(SQLiteError) in }, row: { s in (s.int64(0), s.int64(1), s.int64(2), s.int64(3)) })
        for (a, b) in zip(keyed, keyed.dropFirst()) where a.0 == b.0 && a.1 == b.1 {
            XCTAssertLessThan(a.3, b.2, "blocks of one device and kind overlap")
        }
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testADatabaseOfVersion4OpensMigratesAndKeepsItsStoredAndStagedReadings() throws {
        let tmp = try TempFolder(self)
        let path = tmp.file("anxin.db")
        do {
            // A version-4 file: the history a row per reading, readings staged a row each when it stopped
            // (one of them purged: blanked to device 0).
            let old = try Store(path: path)
            XCTAssertTrue(try old.appendReading(hr("W1", 70, at: t0)))
            let ref = try XCTUnwrap(try old.deviceRefs(["W1"]).first?.ref)
            let hr = ReadingKind.heartRate.rawValue
            let location = ReadingKind.location.rawValue
            try old.connection.exec(
                """
                DELETE FROM reading_blocks;
                DROP TABLE reading_blocks;
                DROP TABLE reading_packs;
                CREATE TABLE readings_stage (
                    device_ref INTEGER NOT NULL, kind INTEGER NOT NULL, measured_at INTEGER NOT NULL,
                    value REAL NOT NULL, received_lag INTEGER NOT NULL, flags INTEGER NOT NULL,
                    lon REAL, accuracy_m REAL);
                INSERT INTO readings (device_ref, kind, measured_at, value, received_lag, flags)
                    VALUES (\(ref), \(hr), \(t0), 70, 250, 0), (\(ref), \(hr), \(t0 + 1000), 71, 250, 0);
                INSERT INTO readings_stage VALUES
                    (\(ref), \(hr), \(t0 + 2000), 72, 250, 0, NULL, NULL),
                    (\(ref), \(location), \(t0 + 2000), 31.25, 250, \(1 << 16), 121.5, 8),
                    (0, 0, 0, 0, 0, 0, NULL, NULL);
                PRAGMA user_version = 4;
                """, "test")
            old.close()
        }
        let store = try Store(path: path)
        XCTAssertEqual(try store.storedSchemaVersion(), Store.schemaVersion)
        XCTAssertEqual(try store.readingCount(), 4)
        XCTAssertEqual(try store.stagedPackCount(), 2, "a pack for each staged row, the purged one left out")
        XCTAssertEqual(
            try store.query(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'readings_stage'", "check",
                bind: { _ throws(SQLiteError) in }, row: { s in s.int(0) }), [0])
        let location = try store.readings(device: ["W1"], kind: .location, since: 0, limit: 10)
        XCTAssertEqual(location.first?.value, .location(Location(lat: 31.25, lon: 121.5, accuracyM: 8, source: .wifi)))
        XCTAssertEqual(try store.foldStagedReadings(), FoldOutcome(taken: 2, stored: 2))
        XCTAssertEqual(try store.convertEarlierReadings(), 2)
        XCTAssertEqual(
            try store.readings(device: ["W1"], kind: .heartRate, since: 0, limit: 10).map(\.value),
            [72, 71, 70].map { .number($0) })
        XCTAssertEqual(try store.readings(device: ["W1"], kind: .location, since: 0, limit: 10), location)
        // The staged reading was folded first (a block of its own); the older rows make the block before it.
        XCTAssertEqual(try blocks(store).map(\.count), [2, 1, 1])
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }
}

extension SplitMix64 {
    fileprivate mutating func below(_ n: UInt64) -> UInt64 { next() % n }
}
