import AnxinCore
import XCTest

@testable import Store

final class AlertStoreTests: XCTestCase {
    private let t0: EpochMillis = 1_763_770_000_000

    private func alert(
        _ id: String, rule: String = "heart_rate_high", resident: String? = "R-0001", openedAt: EpochMillis
    )
        -> AlertRecord
    {
        AlertRecord(
            id: id, rule: rule, severity: .urgent, residentID: resident, device: "865067021234567",
            triggerJSON: #"{"kind": "heart_rate", "value": 142}"#, occurredAt: openedAt - 500, openedAt: openedAt,
            updatedAt: openedAt)
    }

    func testLifecycleOpenAcknowledgeResolveWithHistory() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        let opened = alert("A-1", openedAt: t0)
        try store.inTransaction {
            try store.insertAlert(opened)
            try store.addHistory(alertID: "A-1", at: t0, action: .opened, by: "rules", detail: #"{"value": 142}"#)
        }
        XCTAssertEqual(try store.alert(id: "A-1"), opened)

        let acked = try XCTUnwrap(try store.acknowledgeAlert(id: "A-1", by: "nurse-07", note: "去看了", at: t0 + 60_000))
        XCTAssertEqual(acked.state, .acknowledged)
        XCTAssertEqual(acked.acknowledgedBy, "nurse-07")
        XCTAssertEqual(acked.acknowledgedAt, t0 + 60_000)
        XCTAssertEqual(try store.alert(id: "A-1"), acked)

        // A second acknowledgement changes nothing.
        XCTAssertEqual(try store.acknowledgeAlert(id: "A-1", by: "nurse-09", note: nil, at: t0 + 70_000), acked)

        let resolved = try XCTUnwrap(try store.resolveAlert(id: "A-1", by: "nurse-07", note: "正常", at: t0 + 120_000))
        XCTAssertEqual(resolved.state, .resolved)
        XCTAssertEqual(resolved.resolvedAt, t0 + 120_000)
        XCTAssertEqual(resolved.updatedAt, t0 + 120_000)
        XCTAssertEqual(resolved.acknowledgedBy, "nurse-07")

        // Acknowledging or resolving a resolved alert is detectable and changes nothing.
        XCTAssertEqual(
            try store.acknowledgeAlert(id: "A-1", by: "nurse-09", note: nil, at: t0 + 130_000)?.state, .resolved)
        XCTAssertEqual(try store.resolveAlert(id: "A-1", by: "nurse-09", note: nil, at: t0 + 130_000), resolved)
        XCTAssertNil(try store.acknowledgeAlert(id: "nope", by: "nurse-09", note: nil, at: t0))
        XCTAssertNil(try store.resolveAlert(id: "nope", by: "nurse-09", note: nil, at: t0))

        XCTAssertEqual(
            try store.history(alertID: "A-1"),
            [
                AlertHistoryEntry(alertID: "A-1", at: t0, action: .opened, by: "rules", detail: #"{"value": 142}"#),
                AlertHistoryEntry(alertID: "A-1", at: t0 + 60_000, action: .acknowledged, by: "nurse-07", note: "去看了"),
                AlertHistoryEntry(alertID: "A-1", at: t0 + 120_000, action: .resolved, by: "nurse-07", note: "正常"),
            ])
    }

    func testUpdateReplacesFieldsAndDuplicateIdIsRefused() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        var a = alert("A-1", openedAt: t0)
        try store.insertAlert(a)
        XCTAssertThrowsError(try store.insertAlert(a)) { error in
            XCTAssertEqual((error as? SQLiteError)?.remedy, .rejectData)
            XCTAssertFalse("\(error)".contains("865067021234567"), "\(error)")
        }
        a.triggerJSON = #"{"kind": "heart_rate", "value": 150}"#
        a.updatedAt = t0 + 5_000
        a.escalatedAt = t0 + 300_000
        a.severity = .critical
        XCTAssertTrue(try store.updateAlert(a))
        XCTAssertEqual(try store.alert(id: "A-1"), a)
        XCTAssertFalse(try store.updateAlert(alert("A-2", openedAt: t0)))
    }

    func testHistoryForAnUnknownAlertFailsAtCommit() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        XCTAssertThrowsError(try store.addHistory(alertID: "ghost", at: t0, action: .updated)) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLiteError.constraint)
        }
        XCTAssertEqual(try store.history(alertID: "ghost"), [])
    }

    func testListingIsNewestFirstWithStateFilterAndPaging() throws {
        let tmp = try TempFolder(self)
        let store = try Store(path: tmp.file("anxin.db"))
        try store.inTransaction {
            for i in 0..<5 {
                try store.insertAlert(
                    alert("A-\(i)", resident: i % 2 == 0 ? "R-1" : nil, openedAt: t0 + EpochMillis(i)))
            }
            // Same opened time: the id orders them.
            try store.insertAlert(alert("A-5", openedAt: t0 + 4))
        }
        _ = try store.resolveAlert(id: "A-2", by: "nurse", note: nil, at: t0 + 10)
        _ = try store.acknowledgeAlert(id: "A-4", by: "nurse", note: nil, at: t0 + 10)

        XCTAssertEqual(
            try store.alerts(state: nil, limit: 10, before: nil).map(\.id), ["A-5", "A-4", "A-3", "A-2", "A-1", "A-0"])
        let page1 = try store.alerts(state: nil, limit: 2, before: nil)
        XCTAssertEqual(page1.map(\.id), ["A-5", "A-4"])
        let page2 = try store.alerts(state: nil, limit: 2, before: page1.last?.id)
        XCTAssertEqual(page2.map(\.id), ["A-3", "A-2"])
        XCTAssertEqual(try store.alerts(state: .open, limit: 10, before: nil).map(\.id), ["A-5", "A-3", "A-1", "A-0"])
        XCTAssertEqual(try store.alerts(state: .open, limit: 10, before: "A-3").map(\.id), ["A-1", "A-0"])
        XCTAssertEqual(try store.alerts(state: .resolved, limit: 10, before: nil).map(\.id), ["A-2"])
        XCTAssertEqual(try store.alerts(state: nil, limit: 10, before: "unknown"), [])
        XCTAssertEqual(try store.unresolvedAlerts().map(\.id), ["A-0", "A-1", "A-3", "A-4", "A-5"])
        XCTAssertEqual(try store.unresolvedAlerts(residentID: "R-1").map(\.id), ["A-4", "A-0"])
    }
}
