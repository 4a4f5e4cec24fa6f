import XCTest

@testable import Store

final class RuleStateStoreTests: XCTestCase {
    func testRuleStateAndSettingsRoundTripAcrossReopen() throws {
        let tmp = try TempFolder(self)
        let path = tmp.file("anxin.db")
        do {
            let store = try Store(path: path)
            try store.inTransaction {
                try store.saveRuleState(key: "heart_rate_high/R-0001", blob: [0, 1, 2, 255])
                try store.saveRuleState(key: "device_silent/D1", blob: [])
                try store.saveRuleState(key: "gone", blob: [9])
            }
            try store.saveRuleState(key: "heart_rate_high/R-0001", blob: [7, 7])
            try store.saveRuleState(key: "gone", blob: nil)
            try store.setMeta("registry_fingerprint", "sha256:1f")
            try store.setMeta("temp", "x")
            try store.setMeta("temp", nil)
            store.close()
        }
        let store = try Store(path: path, readOnly: true)
        XCTAssertEqual(try store.loadRuleState(), ["heart_rate_high/R-0001": [7, 7], "device_silent/D1": []])
        XCTAssertEqual(try store.meta("registry_fingerprint"), "sha256:1f")
        XCTAssertNil(try store.meta("temp"))
    }

    /// The engine's tables are sized from these before the rows are read: each prefix counted exactly,
    /// keys that merely start alike (`subjects:`, `device`) left out.
    func testRuleStateCountsSubjectsAndDevicesByKeyPrefix() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        defer { store.close() }
        XCTAssertTrue(try store.ruleStateCounts() == (0, 0))
        try store.inTransaction {
            for i in 0..<5 { try store.saveRuleState(key: "subject:R-\(i)", blob: [1]) }
            try store.saveRuleState(key: "subject:device:8650", blob: [1])
            for i in 0..<3 { try store.saveRuleState(key: "device:8650\(i)", blob: [2]) }
            for key in ["engine", "subjects:x", "device", "devices:y", "subject", "subject;"] {
                try store.saveRuleState(key: key, blob: [3])
            }
        }
        let counts = try store.ruleStateCounts()
        XCTAssertEqual(counts.subjects, 6)
        XCTAssertEqual(counts.devices, 3)
    }
}
