import AnxinCore
import Foundation
import Gateway
import Logging
import Store
import XCTest

/// `anxin backup`, `restore` and `purge`, and reading retention, on a real database file
/// written through `Store`.
final class BackupTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000
    private let day: EpochMillis = 86_400_000
    private let hexKey = String(repeating: "0123456789abcdef", count: 4)

    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "anxin-backup-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func file(_ name: String) -> String { folder + "/" + name }

    private func mode(_ path: String) throws -> Int {
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        return (attrs[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    private static func reading(_ device: String, _ kind: ReadingKind, _ value: Double, at: EpochMillis) -> Reading {
        Reading(
            device: device, profile: "setracker-3g", kind: kind, value: .number(value), measuredAt: at,
            receivedAt: at + 250, flags: [])
    }

    private func config() -> GatewayConfig {
        var c = GatewayConfig()
        c.storage.path = file("state/anxin.db")
        return c
    }

    /// The hex key in `key.hex`, the same key as 32 raw bytes in `key.bin`.
    private func writeKeys() throws {
        try (hexKey + "\n").write(toFile: file("key.hex"), atomically: true, encoding: .utf8)
        var raw: [UInt8] = []
        let digits = Array(hexKey.utf8)
        for i in stride(from: 0, to: 64, by: 2) {
            raw.append(UInt8(String(decoding: digits[i...i + 1], as: UTF8.self), radix: 16)!)
        }
        try Data(raw).write(to: URL(fileURLWithPath: file("key.bin")))
    }

    /// Readings, alerts with history and an audit row.
    private func seed(_ store: Store) throws {
        try store.inTransaction {
            for i in 0..<5_000 as Range<EpochMillis> {
                try store.appendReading(Self.reading("W\(i % 20)", .heartRate, Double(60 + i % 30), at: t0 + i * 1000))
            }
            for n in 0..<10 {
                try store.insertAlert(
                    AlertRecord(
                        id: "A-\(n)", rule: "heart_rate_high", severity: .urgent, residentID: "R-000\(n % 2 + 1)",
                        device: "W1", triggerJSON: "{}", occurredAt: t0, openedAt: t0, updatedAt: t0))
                try store.addHistory(alertID: "A-\(n)", at: t0, action: .opened, by: "rules")
            }
        }
        try store.appendAudit(AuditRecord(at: t0, actor: "nurse-07", action: "acknowledge", target: "A-1"))
    }

    private func counts(_ store: Store) throws -> [Int] {
        [
            try store.readingCount(), try store.alerts(state: nil, limit: 1000, before: nil).count,
            try store.auditRecords(limit: 1000).count, try store.history(alertID: "A-3").count,
        ]
    }

    func testBackupWhileWritingThenRestoreGivesTheSameRows() throws {
        try writeKeys()
        let config = config()
        let store = try Store(path: config.databasePath)
        try seed(store)

        let writer = try Store(path: config.databasePath)
        let start = t0
        let writing = DispatchGroup()
        DispatchQueue.global().async(group: writing) {
            for i in 0..<100 as Range<EpochMillis> {
                try? writer.inTransaction {
                    for j in 0..<20 { try writer.appendReading(Self.reading("X\(j)", .spo2, 97, at: start + i * 1000)) }
                }
            }
        }
        try GatewayBackup.backup(config: config, to: file("out/during.anxbk"), keyFile: file("key.hex"))
        XCTAssertEqual(writing.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(try store.readingCount(), 7_000)

        let during = try Data(contentsOf: URL(fileURLWithPath: file("out/during.anxbk")))
        XCTAssertEqual(Array(during.prefix(8)), Array("ANXINBK1".utf8))
        XCTAssertEqual(try mode(file("out/during.anxbk")), 0o600)
        try GatewayBackup.restore(from: file("out/during.anxbk"), keyFile: file("key.bin"), to: file("r1/anxin.db"))
        XCTAssertEqual(try Store.integrityCheck(path: file("r1/anxin.db")), "ok")
        let snapshot = try Store(path: file("r1/anxin.db")).readingCount()
        XCTAssertTrue(
            (5_000...7_000).contains(snapshot) && snapshot % 20 == 0, "not a snapshot of whole commits: \(snapshot)")

        // Quiet now: the copy must hold exactly what the database holds.
        try GatewayBackup.backup(config: config, to: file("out/after.anxbk"), keyFile: file("key.hex"))
        try GatewayBackup.restore(from: file("out/after.anxbk"), keyFile: file("key.hex"), to: file("r2/anxin.db"))
        XCTAssertEqual(try mode(file("r2/anxin.db")), 0o600)
        XCTAssertEqual(try Store.integrityCheck(path: file("r2/anxin.db")), "ok")
        let restored = try Store(path: file("r2/anxin.db"))
        XCTAssertEqual(try counts(restored), try counts(store))
        XCTAssertEqual(try counts(store), [7_000, 10, 1, 1])
        // No plaintext scratch copy is left beside the backup or the database.
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: file("out")).sorted(), ["after.anxbk", "during.anxbk"])
    }

    /// The operator's commands, end to end: `anxin backup` then `anxin restore` with the binary.
    func testBackupAndRestoreCommands() throws {
        try writeKeys()
        try FileManager.default.createDirectory(atPath: file("state"), withIntermediateDirectories: true)
        let store = try Store(path: file("state/anxin.db"))
        try seed(store)
        let expected = try counts(store)
        try "storage: {path: state/anxin.db}\n".write(toFile: file("anxin.yaml"), atomically: true, encoding: .utf8)
        let b = try runAnxin([
            "backup", "--config", file("anxin.yaml"), "--out", file("cli.anxbk"), "--key-file", file("key.hex"),
        ])
        XCTAssertEqual(b.status, 0, b.err)
        XCTAssertEqual(try mode(file("cli.anxbk")), 0o600)
        let wrong = try runAnxin([
            "restore", "--in", file("cli.anxbk"), "--key-file", file("key.bin.missing"), "--to", file("r/anxin.db"),
        ])
        XCTAssertNotEqual(wrong.status, 0)
        let r = try runAnxin([
            "restore", "--in", file("cli.anxbk"), "--key-file", file("key.bin"), "--to", file("r/anxin.db"),
        ])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try counts(try Store(path: file("r/anxin.db"), readOnly: true)), expected)
        XCTAssertEqual(try mode(file("r/anxin.db")), 0o600)
    }

    func testWrongKeyTamperedFileAndExistingDatabaseAreRefused() throws {
        try writeKeys()
        let config = config()
        try seed(try Store(path: config.databasePath))
        let backup = file("b.anxbk")
        try GatewayBackup.backup(config: config, to: backup, keyFile: file("key.hex"))

        try String(repeating: "fedcba9876543210", count: 4).write(
            toFile: file("wrong.hex"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GatewayBackup.restore(from: backup, keyFile: file("wrong.hex"), to: file("x.db"))) {
            XCTAssertEqual($0 as? GatewayBackupError, .cannotDecrypt(path: backup))
            XCTAssertEqual("\($0)", "cannot decrypt \(backup): wrong key, or the file was altered or damaged")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("x.db")))

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: backup)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: file("tampered.anxbk")))
        XCTAssertThrowsError(
            try GatewayBackup.restore(from: file("tampered.anxbk"), keyFile: file("key.hex"), to: file("x.db"))
        ) { XCTAssertEqual($0 as? GatewayBackupError, .cannotDecrypt(path: file("tampered.anxbk"))) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("x.db")))

        try Data("SQLite format 3\0".utf8).write(to: URL(fileURLWithPath: file("plain.db")))
        XCTAssertThrowsError(
            try GatewayBackup.restore(from: file("plain.db"), keyFile: file("key.hex"), to: file("x.db"))
        ) { XCTAssertEqual($0 as? GatewayBackupError, .notABackup(path: file("plain.db"))) }

        try Data(repeating: 7, count: 31).write(to: URL(fileURLWithPath: file("short.key")))
        XCTAssertThrowsError(try GatewayBackup.backup(config: config, to: file("c.anxbk"), keyFile: file("short.key")))
        {
            XCTAssertEqual(
                $0 as? GatewayBackupError,
                .badKeyFile(path: file("short.key"), reason: "expected 32 raw bytes or 64 hex characters"))
        }

        // An existing database is replaced only with force.
        let target = file("live/anxin.db")
        let other = try Store(path: target)
        try other.appendReading(Self.reading("Z", .heartRate, 1, at: t0))
        other.close()
        XCTAssertThrowsError(try GatewayBackup.restore(from: backup, keyFile: file("key.hex"), to: target)) {
            XCTAssertEqual($0 as? GatewayBackupError, .destinationExists(path: target))
        }
        XCTAssertEqual(try Store(path: target).readingCount(), 1)
        try GatewayBackup.restore(from: backup, keyFile: file("key.hex"), to: target, force: true)
        XCTAssertEqual(try Store(path: target).readingCount(), 5_000)
    }

    func testPurgeRemovesOnlyThatResidentsReadingsAndIsAudited() throws {
        try """
        residents:
          - id: R-0001
            name: 张桂兰
            bed: BED-1
            devices: ["W1"]
          - id: R-0002
            name: 王建国
            devices: ["W2"]
        beds:
          - code: BED-1
            devices: ["B1"]
        """.write(toFile: file("registry.yaml"), atomically: true, encoding: .utf8)
        var config = config()
        config.registry = file("registry.yaml")
        let store = try Store(path: config.databasePath)
        try store.inTransaction {
            for i in 0..<10 as Range<EpochMillis> {
                for device in ["W1", "B1", "W2"] {
                    try store.appendReading(Self.reading(device, .heartRate, 70, at: t0 + i * 1000))
                }
            }
            try store.insertAlert(
                AlertRecord(
                    id: "A-1", rule: "sos", severity: .critical, residentID: "R-0001", device: "W1",
                    triggerJSON: "{}", occurredAt: t0, openedAt: t0, updatedAt: t0))
            try store.addHistory(alertID: "A-1", at: t0, action: .opened, by: "rules")
        }

        let outcome = try GatewayPurge.run(
            config: config, residentID: "R-0001", clock: ManualWallClock(t0 + day))
        XCTAssertTrue(outcome.residentKnown)
        XCTAssertEqual(outcome.devices, ["W1", "B1"])
        XCTAssertEqual(outcome.counts, ResidentPurgeCounts(readings: 20, alertHistory: 1, outboxBodies: 0, alerts: 1))

        XCTAssertEqual(try store.readings(device: ["W1", "B1"], kind: nil, since: 0, limit: 100), [])
        XCTAssertEqual(try store.readings(device: ["W2"], kind: nil, since: 0, limit: 100).count, 10)
        XCTAssertNil(try store.alert(id: "A-1")?.residentID)
        let audit = try XCTUnwrap(try store.auditRecords(limit: 1).first)
        XCTAssertEqual(audit.actor, "cli")
        XCTAssertEqual(audit.action, "purge")
        XCTAssertEqual(audit.target, "R-0001")
        XCTAssertEqual(audit.at, t0 + day)
        XCTAssertEqual(audit.note, "readings=20 history=1 outbox_bodies=0 alerts=1")

        let unknown = try GatewayPurge.run(config: config, residentID: "R-9999")
        XCTAssertFalse(unknown.residentKnown)
        XCTAssertEqual(unknown.counts, ResidentPurgeCounts())
        XCTAssertEqual(try store.readingCount(), 10)
    }

    func testRetentionPrunesOnlyOldReadings() throws {
        let config = config()
        let store = try Store(path: config.databasePath)
        try store.inTransaction {
            for age in [365, 31, 30, 29, 0] as [EpochMillis] {
                try store.appendReading(Self.reading("W1", .heartRate, 70, at: t0 - age * day))
                try store.appendReading(Self.reading("B1", .respirationRate, 16, at: t0 - age * day))
            }
        }
        let clock = ManualWallClock(t0)
        let logger = Logger(label: "test")
        let service = RetentionService(
            store: try Store(path: config.databasePath), retentionDays: 30, clock: clock, logger: logger)
        XCTAssertEqual(service.cutoff, t0 - 30 * day)
        XCTAssertEqual(service.purgeOnce(), 4)
        XCTAssertEqual(
            try store.readings(device: ["W1"], kind: nil, since: 0, limit: 10).map(\.measuredAt),
            [t0, t0 - 29 * day, t0 - 30 * day])
        clock.advance(ms: day)
        XCTAssertEqual(service.purgeOnce(), 2)
        XCTAssertEqual(try store.readingCount(), 4)

        let keepForever = RetentionService(store: store, retentionDays: 0, clock: clock, logger: logger)
        XCTAssertNil(keepForever.purgeOnce())
        XCTAssertEqual(try store.readingCount(), 4)
    }

    func testRetentionDaysIsReadFromTheConfiguration() throws {
        XCTAssertEqual(GatewayConfig().storage.retentionDays, 180)
        try "storage:\n  path: a.db\n  retention_days: 0\n".write(
            toFile: file("a.yaml"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try GatewayConfig.load(path: file("a.yaml")).storage.retentionDays, 0)
        try "storage:\n  retention_days: -1\n".write(toFile: file("b.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GatewayConfig.load(path: file("b.yaml"))) {
            XCTAssertEqual(($0 as? ConfigError)?.problems.first?.line, 2)
        }
    }
}
