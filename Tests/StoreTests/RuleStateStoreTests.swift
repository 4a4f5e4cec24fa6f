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
}
