import AnxinCore
import XCTest

@testable import Store

final class StoreOpeningTests: XCTestCase {
    func testMigratesEmptyFileAndReopensIdempotently() throws {
        let tmp = try TempFolder(self)
        let path = tmp.file("anxin.db")
        let first = try Store(path: path)
        XCTAssertEqual(try first.storedSchemaVersion(), Store.schemaVersion)
        XCTAssertEqual(Store.schemaVersion, 6)
        try first.setMeta("registry_fingerprint", "abc123")
        first.close()

        let second = try Store(path: path)
        XCTAssertEqual(try second.storedSchemaVersion(), 6)
        XCTAssertEqual(try second.meta("registry_fingerprint"), "abc123")
        XCTAssertEqual(try second.integrityCheck(), "ok")
        XCTAssertEqual(try second.pragma("journal_mode"), "wal")
    }

    func testRefusesSchemaNewerThanThisBuild() throws {
        let tmp = try TempFolder(self)
        let path = tmp.file("anxin.db")
        let store = try Store(path: path)
        try store.connection.exec("PRAGMA user_version = 99", "test")
        store.close()
        XCTAssertThrowsError(try Store(path: path)) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLiteError.schema)
            XCTAssertTrue("\(error)".contains("newer than this build"), "\(error)")
        }
    }

    func testReadOnlyStoreNeedsAMigratedFileAndRefusesWrites() throws {
        let tmp = try TempFolder(self)
        let path = tmp.file("anxin.db")
        XCTAssertThrowsError(try Store(path: path, readOnly: true)) { error in
            XCTAssertEqual((error as? SQLiteError)?.remedy, .fatal)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))

        let writer = try Store(path: path)
        let reader = try Store(path: path, readOnly: true)
        XCTAssertThrowsError(try reader.setMeta("k", "v")) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLiteError.readOnly)
        }
        XCTAssertThrowsError(try reader.inTransaction { 1 })

        // WAL: the reader sees each commit of the writer.
        XCTAssertEqual(try reader.readingCount(), 0)
        try writer.inTransaction {
            try writer.appendReading(
                Reading(
                    device: "D1", profile: "p", kind: .heartRate, value: .number(70), measuredAt: 1000, receivedAt: 1000
                ))
        }
        XCTAssertEqual(try reader.readingCount(), 1)
        XCTAssertTrue(writer.isWritable())
        XCTAssertEqual(try writer.meta("health_probe"), "1")
    }

    func testCreatesFileWithMode0600AndMissingFoldersWith0700() throws {
        let tmp = try TempFolder(self)
        let folder = tmp.file("state/anxin")
        let path = folder + "/anxin.db"
        let existingMode = try tmp.mode(tmp.path)
        let store = try Store(path: path)
        try store.setMeta("k", "v")  // makes the WAL and shared-memory files exist
        XCTAssertEqual(try tmp.mode(path), 0o600)
        XCTAssertEqual(try tmp.mode(path + "-wal"), 0o600)
        XCTAssertEqual(try tmp.mode(folder), 0o700)
        XCTAssertEqual(try tmp.mode(tmp.file("state")), 0o700)
        // A folder that already existed keeps its mode.
        XCTAssertEqual(try tmp.mode(tmp.path), existingMode)
    }

    func testFolderInTheWayIsAClearError() throws {
        let tmp = try TempFolder(self)
        XCTAssertTrue(FileManager.default.createFile(atPath: tmp.file("notafolder"), contents: Data()))
        XCTAssertThrowsError(try Store(path: tmp.file("notafolder/anxin.db"))) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLiteError.cantOpen)
            XCTAssertTrue("\(error)".contains("is not a folder"), "\(error)")
        }
    }

    func testClosedStoreThrowsMisuse() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        store.close()
        XCTAssertThrowsError(try store.meta("k")) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLiteError.misuse)
        }
        XCTAssertFalse(store.isWritable())
    }
}
