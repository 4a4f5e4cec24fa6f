import AnxinCore
import XCTest

@testable import Store

final class ReadingStoreTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000

    private func reading(
        _ device: String, _ kind: ReadingKind, _ value: ReadingValue, at: EpochMillis, lag: EpochMillis = 250,
        flags: ObservationFlags = [], profile: String = "setracker-3g"
    ) -> Reading {
        Reading(
            device: device, profile: profile, kind: kind, value: value, measuredAt: at, receivedAt: at + lag,
            flags: flags)
    }

    /// The writer keeps one slot per device heard, in a dictionary of a city's size: no padding
    /// between its fields.
    func testDeviceSlotIsPacked() {
        XCTAssertEqual(MemoryLayout<DeviceSlot>.stride, 32)
    }

    func testRoundTripOfNumbersYesNoAndLocations() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        let location = Location(lat: 24.669_312_5, lon: 102.595_871_3, accuracyM: 35.5, source: .wifi)
        let written = [
            reading("865067021234567", .heartRate, .number(78), at: t0),
            reading("865067021234567", .bodyTemp, .number(36.65), at: t0 + 1, flags: [.clockCorrected]),
            reading("865067021234567", .location, .location(location), at: t0 + 2, lag: 61_000),
            reading(
                "865067021234567", .location, .location(Location(lat: -33.5, lon: 151.25)), at: t0 + 3,
                flags: [.receiveTime]),
            reading("201906078", .inBed, .bool(true), at: t0 + 4, flags: [.unregistered], profile: "bed-mat"),
            reading("201906078", .worn, .bool(false), at: t0 + 5, profile: "bed-mat"),
        ]
        try store.inTransaction {
            for r in written { XCTAssertTrue(try store.appendReading(r)) }
        }
        store.close()

        let reopened = try Store(path: tmp.file("anxin.db"), readOnly: true)
        let back = try reopened.readings(
            device: ["865067021234567", "201906078"], kind: nil, since: t0, limit: 100)
        XCTAssertEqual(back, written.reversed())
        XCTAssertEqual(try reopened.readingCount(), 6)
    }

    func testDuplicateReadingsAreStoredOnce() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        let r = reading("D1", .spo2, .number(97), at: t0)
        try store.inTransaction {
            XCTAssertTrue(try store.appendReading(r))
            XCTAssertFalse(try store.appendReading(r))
        }
        // Again in a later batch, with a different receive time: still the same reading.
        XCTAssertFalse(try store.appendReading(reading("D1", .spo2, .number(97), at: t0, lag: 9_000)))
        // Same moment, another value: a different reading.
        XCTAssertTrue(try store.appendReading(reading("D1", .spo2, .number(96), at: t0)))
        // Same value, another kind or moment: different readings.
        XCTAssertTrue(try store.appendReading(reading("D1", .heartRate, .number(97), at: t0)))
        XCTAssertTrue(try store.appendReading(reading("D1", .spo2, .number(97), at: t0 + 1)))
        XCTAssertFalse(try store.appendReading(reading("D1", .heartRate, .number(.nan), at: t0 + 2)))
        XCTAssertEqual(try store.readingCount(), 4)
    }

    func testHistoryIsNewestFirstPerKindSinceATime() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            for i in 0..<10 {
                let at = t0 + EpochMillis(i) * 60_000
                try store.appendReading(reading("W1", .heartRate, .number(Double(70 + i)), at: at))
                try store.appendReading(reading("W1", .spo2, .number(98), at: at))
                try store.appendReading(reading("B1", .heartRate, .number(Double(60 + i)), at: at + 30_000))
            }
        }
        let since = t0 + 5 * 60_000
        let history = try store.readings(device: ["W1"], kind: .heartRate, since: since, limit: 3)
        XCTAssertEqual(history.map(\.value), [.number(79), .number(78), .number(77)])
        XCTAssertEqual(history.map(\.measuredAt), [t0 + 9 * 60_000, t0 + 8 * 60_000, t0 + 7 * 60_000])

        let both = try store.readings(device: ["W1", "B1"], kind: .heartRate, since: since, limit: 4)
        XCTAssertEqual(both.map(\.device), ["B1", "W1", "B1", "W1"])
        XCTAssertEqual(both.map(\.value), [.number(69), .number(79), .number(68), .number(78)])

        XCTAssertEqual(try store.readings(device: ["W1"], kind: nil, since: since, limit: 100).count, 10)
        XCTAssertEqual(try store.readings(device: ["nobody"], kind: nil, since: 0, limit: 100), [])
        XCTAssertEqual(try store.readings(device: ["W1"], kind: .heartRate, since: since, limit: 0), [])
    }

    func testLatestReadingPerKindAcrossAResidentsDevices() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            try store.appendReading(reading("W1", .heartRate, .number(80), at: t0))
            try store.appendReading(reading("W1", .heartRate, .number(82), at: t0 + 60_000))
            try store.appendReading(reading("B1", .heartRate, .number(64), at: t0 + 90_000, profile: "bed-mat"))
            try store.appendReading(reading("B1", .respirationRate, .number(16), at: t0 + 90_000, profile: "bed-mat"))
            try store.appendReading(reading("W1", .systolic, .number(128), at: t0 - 20 * 60_000))
        }
        let latest = try store.latestReadings(devices: ["W1", "B1"], since: t0 - 15 * 60_000)
        XCTAssertEqual(latest.map(\.kind), [.heartRate, .respirationRate])
        XCTAssertEqual(latest.map(\.value), [.number(64), .number(16)])
        XCTAssertEqual(latest.map(\.device), ["B1", "B1"])
        XCTAssertEqual(latest.first?.profile, "bed-mat")
    }

    func testDeviceRowsFollowTheLatestReadingAndSurviveRollback() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            try store.appendReading(reading("W1", .battery, .number(80), at: t0, flags: [.unregistered]))
            try store.appendReading(reading("W1", .battery, .number(79), at: t0 + 60_000, profile: "iw-watch"))
        }
        XCTAssertEqual(
            try store.device("W1"),
            DeviceRecord(
                device: "W1", profile: "iw-watch", firstSeen: t0 + 250, lastSeen: t0 + 60_250, registered: true))

        struct Boom: Error {}
        XCTAssertThrowsError(
            try store.inTransaction {
                try store.appendReading(reading("NEW", .battery, .number(50), at: t0))
                throw Boom()
            })
        XCTAssertNil(try store.device("NEW"))
        // The cache forgot the rolled-back device row: storing for it again creates it again.
        XCTAssertTrue(try store.appendReading(reading("NEW", .battery, .number(50), at: t0)))
        XCTAssertNotNil(try store.device("NEW"))
        XCTAssertEqual(try store.readingCount(), 3)

        try store.noteDevice("W1", profile: "iw-watch", seenAt: t0 + 120_000, registered: true)
        XCTAssertEqual(try store.device("W1")?.lastSeen, t0 + 120_000)
        XCTAssertEqual(try store.devices().map(\.device), ["NEW", "W1"])
    }

    func testLastSeenIsWrittenOnceItLeadsTheTableBySlack() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        store.lastSeenSlackMs = 5_000
        func heard(_ at: EpochMillis, profile: String = "iw-watch", flags: ObservationFlags = []) throws {
            try store.inTransaction {
                try store.appendReading(reading("W1", .battery, .number(80), at: at, flags: flags, profile: profile))
            }
        }
        try heard(t0)
        XCTAssertEqual(try store.device("W1")?.lastSeen, t0 + 250)
        // Heard again within the slack: the table keeps the older time.
        try heard(t0 + 1_000)
        try heard(t0 + 5_000)
        XCTAssertEqual(try store.device("W1")?.lastSeen, t0 + 250)
        // More than the slack ahead: written, with the newest time.
        try heard(t0 + 5_001)
        XCTAssertEqual(try store.device("W1")?.lastSeen, t0 + 5_251)
        // A new profile or binding is written at once, with the time heard.
        try heard(t0 + 6_000, profile: "wonlex-kt")
        XCTAssertEqual(try store.device("W1")?.profile, "wonlex-kt")
        XCTAssertEqual(try store.device("W1")?.lastSeen, t0 + 6_250)
        try heard(t0 + 7_000, profile: "wonlex-kt", flags: [.unregistered])
        XCTAssertEqual(try store.device("W1")?.registered, false)
        XCTAssertEqual(try store.device("W1")?.lastSeen, t0 + 7_250)
        // Without slack every commit writes it.
        store.lastSeenSlackMs = 0
        try heard(t0 + 7_100, profile: "wonlex-kt", flags: [.unregistered])
        XCTAssertEqual(try store.device("W1")?.lastSeen, t0 + 7_350)
        // Back to a profile the writer has numbered before, and a second device of the first profile.
        try heard(t0 + 7_200, profile: "iw-watch", flags: [.unregistered])
        XCTAssertEqual(try store.device("W1")?.profile, "iw-watch")
        try store.inTransaction {
            try store.appendReading(reading("W2", .battery, .number(70), at: t0, profile: "wonlex-kt"))
        }
        XCTAssertEqual(try store.device("W2")?.profile, "wonlex-kt")
        XCTAssertEqual(store.profileNames, ["iw-watch", "wonlex-kt"])
    }

    func testNestedTransactionRollsBackOnlyItsPart() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        struct Boom: Error {}
        try store.inTransaction {
            try store.appendReading(reading("W1", .steps, .number(100), at: t0))
            XCTAssertThrowsError(
                try store.inTransaction {
                    try store.appendReading(reading("W2", .steps, .number(5), at: t0))
                    throw Boom()
                })
            try store.appendReading(reading("W1", .steps, .number(120), at: t0 + 1))
        }
        XCTAssertEqual(try store.readingCount(), 2)
        XCTAssertNil(try store.device("W2"))
    }

    func testPruneDeletesOnlyOlderReadings() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            for i in 0..<5 {
                try store.appendReading(reading("W1", .heartRate, .number(70), at: t0 + EpochMillis(i)))
                try store.appendReading(reading("B1", .inBed, .bool(true), at: t0 + EpochMillis(i)))
            }
        }
        XCTAssertEqual(try store.pruneReadings(before: t0 + 3), 6)
        XCTAssertEqual(try store.readingCount(), 4)
    }
}
