import AnxinCore
import XCTest

@testable import Store

/// Retention, a resident's purge and the online backup, on a real database file.
final class ResidentDataStoreTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000
    private let day: EpochMillis = 86_400_000

    private func reading(_ device: String, _ kind: ReadingKind, _ value: Double, at: EpochMillis) -> Reading {
        Reading(
            device: device, profile: "setracker-3g", kind: kind, value: .number(value), measuredAt: at,
            receivedAt: at + 250, flags: [])
    }

    private func alert(_ id: String, resident: String?) -> AlertRecord {
        AlertRecord(
            id: id, rule: "heart_rate_high", severity: .urgent, residentID: resident, device: "W1",
            triggerJSON: #"{"kind": "heart_rate", "value": 142}"#, occurredAt: t0, openedAt: t0, updatedAt: t0)
    }

    private func count(_ store: Store, _ sql: String) throws -> Int {
        try store.query(sql, "test count", bind: { _ throws(SQLiteError) in }, row: { $0.int(0) }).first ?? -1
    }

    func testRetentionDeletesOnlyReadingsBeforeTheCutoff() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            for device in ["W1", "W2", "B1"] {
                for age in [400, 181, 180, 10, 0] as [EpochMillis] {
                    try store.appendReading(reading(device, .heartRate, 70, at: t0 - age * day))
                    try store.appendReading(reading(device, .spo2, 97, at: t0 - age * day))
                }
            }
        }
        XCTAssertEqual(try store.readingCount(), 30)
        // The reading exactly at the cutoff stays.
        XCTAssertEqual(try store.purgeExpiredReadings(before: t0 - 180 * day), 12)
        XCTAssertEqual(try store.readingCount(), 18)
        let left = try store.readings(device: ["W1"], kind: .heartRate, since: 0, limit: 10).map(\.measuredAt)
        XCTAssertEqual(left, [t0, t0 - 10 * day, t0 - 180 * day])
        XCTAssertEqual(try store.purgeExpiredReadings(before: t0 - 180 * day), 0)
    }

    func testPurgeRemovesOneResidentsDataAndKeepsTheOthers() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            for i in 0..<5 as Range<EpochMillis> {
                try store.appendReading(reading("W1", .heartRate, 80, at: t0 + i * 1000))
                try store.appendReading(reading("B1", .respirationRate, 16, at: t0 + i * 1000))
                try store.appendReading(reading("W2", .heartRate, 70, at: t0 + i * 1000))
            }
            try store.insertAlert(alert("A-1", resident: "R-0001"))
            try store.insertAlert(alert("A-2", resident: "R-0002"))
            for id in ["A-1", "A-2"] {
                try store.addHistory(alertID: id, at: t0, action: .opened, by: "rules", detail: #"{"value": 142}"#)
                try store.addHistory(alertID: id, at: t0 + 1, action: .acknowledged, by: "nurse-07", note: "去看了")
            }
        }
        try store.inTransaction(durable: true) {
            for id in ["A-1", "A-2"] {
                try store.enqueueIncident(
                    OutboxItem(
                        id: "I-\(id)", alertID: id, priority: 1, body: Array("{\"name\":\"张\"}".utf8), createdAt: t0))
            }
            try store.enqueue(
                OutboxItem(
                    id: "N-A-1", alertID: "A-1", priority: 1, body: Array("notice".utf8), createdAt: t0,
                    channel: "wecom", kind: .notice))
        }
        XCTAssertTrue(try store.markDelivered(id: "I-A-1", status: 201, ticket: "T1", at: t0 + 5))
        XCTAssertTrue(try store.markDelivered(id: "I-A-2", status: 201, ticket: "T2", at: t0 + 5))

        let counts = try store.purgeResident(residentID: "R-0001", devices: ["W1", "B1", "never-seen"])
        XCTAssertEqual(counts, ResidentPurgeCounts(readings: 10, alertHistory: 2, outboxBodies: 1, alerts: 1))

        XCTAssertEqual(try store.readings(device: ["W1", "B1"], kind: nil, since: 0, limit: 100).count, 0)
        XCTAssertEqual(try store.readings(device: ["W2"], kind: nil, since: 0, limit: 100).count, 5)
        XCTAssertEqual(try store.history(alertID: "A-1"), [])
        XCTAssertEqual(try store.history(alertID: "A-2").count, 2)
        XCTAssertNil(try store.alert(id: "A-1")?.residentID)
        XCTAssertEqual(try store.alert(id: "A-1")?.state, .open)
        XCTAssertEqual(try store.alert(id: "A-2")?.residentID, "R-0002")
        XCTAssertEqual(try store.outboxItem(id: "I-A-1")?.body, [])
        XCTAssertEqual(try store.outboxItem(id: "I-A-1")?.ticket, "T1")
        // Still to be sent: keeps its body.
        XCTAssertEqual(try store.outboxItem(id: "N-A-1")?.body, Array("notice".utf8))
        XCTAssertEqual(try store.outboxItem(id: "I-A-2")?.body, Array("{\"name\":\"张\"}".utf8))
        XCTAssertEqual(try count(store, "SELECT count(*) FROM alerts"), 2)

        XCTAssertEqual(try store.purgeResident(residentID: "R-0001", devices: ["W1", "B1"]), ResidentPurgeCounts())
    }

    func testPurgeRollsBackWhenTheSurroundingTransactionFails() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.appendReading(reading("W1", .heartRate, 80, at: t0))
        struct Abort: Error {}
        XCTAssertThrowsError(
            try store.inTransaction {
                try store.purgeResident(residentID: "R-0001", devices: ["W1"])
                throw Abort()
            })
        XCTAssertEqual(try store.readingCount(), 1)
    }

    func testOnlineBackupWhileAnotherConnectionWrites() throws {
        let tmp = try TempFolder(self)
        let path = tmp.file("anxin.db")
        let store = try Store(path: path)
        try store.inTransaction {
            for i in 0..<20_000 as Range<EpochMillis> {
                try store.appendReading(reading("W\(i % 50)", .heartRate, Double(60 + i % 40), at: t0 + i * 1000))
            }
        }
        let writer = try Store(path: path)
        let start = t0
        let writing = DispatchGroup()
        DispatchQueue.global().async(group: writing) {
            for i in 0..<200 as Range<EpochMillis> {
                try? writer.inTransaction {
                    for j in 0..<50 {
                        try writer.appendReading(
                            Reading(
                                device: "X\(j)", profile: "setracker-3g", kind: .spo2, value: .number(97),
                                measuredAt: start + i * 1000, receivedAt: start + i * 1000, flags: []))
                    }
                }
            }
        }
        let copy = tmp.file("backup/copy.db")
        try store.backup(toFile: copy)
        XCTAssertEqual(writing.wait(timeout: .now() + 60), .success)

        XCTAssertEqual(try tmp.mode(copy), 0o600)
        XCTAssertEqual(try Store.integrityCheck(path: copy), "ok")
        let restored = try Store(path: copy, readOnly: true)
        let copied = try restored.readingCount()
        // A snapshot: all the rows written before, and whole writer transactions after.
        XCTAssertGreaterThanOrEqual(copied, 20_000)
        XCTAssertLessThanOrEqual(copied, 30_000)
        XCTAssertEqual((copied - 20_000) % 50, 0)
        XCTAssertEqual(try store.readingCount(), 30_000)
        // A backup never overwrites.
        XCTAssertThrowsError(try store.backup(toFile: copy)) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLiteError.cantOpen)
        }
    }
}
