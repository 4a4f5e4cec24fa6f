import AnxinCore
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization
import XCTest

@testable import Delivery

/// Shared fixtures for the channel and follow-up tests.
enum Fixture {
    /// 2026-11-22T08:16:12+08:00.
    static let openedAt: EpochMillis = 1_795_306_572_000
    static let board = "http://10.0.0.5:8349/board/#/alerts/A-1"
    static let quiet = Logger(label: "test.delivery", factory: { _ in SwiftLogNoOpLogHandler() })

    static func notice(
        _ alertID: String = "A-1", severity: Severity = .critical, step: Int = 0, reminder: Int = 2,
        resident: NoticeContent.Resident? = .init(name: "张桂兰", room: "3号楼302室", bed: "JN-KY-03-0302-1")
    ) -> NoticeContent {
        NoticeContent(
            alertID: alertID, gatewayID: "jn-01", rule: "sos", severity: severity, summary: "张桂兰 3号楼302室 SOS 呼叫",
            resident: resident, step: step, reminder: reminder, boardURL: board, openedAt: openedAt)
    }

    /// A fresh database file in a temp folder removed when the test ends.
    static func store(_ test: XCTestCase) throws -> Store {
        let folder = NSTemporaryDirectory() + "anxin-delivery-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return try Store(path: folder + "/anxin.db")
    }

    static func insertAlert(_ store: Store, _ id: String, severity: Severity = .critical, at: EpochMillis) throws {
        try store.insertAlert(
            AlertRecord(
                id: id, rule: "sos", severity: severity, residentID: "R-1", device: "D1",
                triggerJSON: #"{"event":"sos"}"#, occurredAt: at, openedAt: at, updatedAt: at))
    }

    /// Runs `service` in a ServiceGroup for the duration of `body`, then shuts it down gracefully.
    static func running(_ service: any Service, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: [service], logger: quiet))
        let task = Task { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await task.value
    }

    struct Timeout: Error {}

    /// Polls `condition` every 5 ms until it holds, or throws after `timeout`.
    static func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try !condition() {
            if ContinuousClock.now >= deadline { throw Timeout() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Collects outcomes reported through `onOutcome`.
final class OutcomeLog: Sendable {
    private let list = Mutex<[DeliveryOutcome]>([])
    func record(_ o: DeliveryOutcome) { list.withLock { $0.append(o) } }
    var all: [DeliveryOutcome] { list.withLock { $0 } }
}
