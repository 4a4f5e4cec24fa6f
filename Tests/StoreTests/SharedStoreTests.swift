import AnxinCore
import Foundation
import XCTest

@testable import Store

/// One Store shared by several threads: its lock serializes them, transactions included.
final class SharedStoreTests: XCTestCase {
    func testThreadsSharingOneWriterAndOneReader() throws {
        let tmp = try TempFolder(self)
        let writer = try Store(path: tmp.file("anxin.db"))
        let reader = try Store(path: tmp.file("anxin.db"), readOnly: true)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            do {
                if worker % 2 == 0 {
                    for batch in 0..<10 {
                        try writer.inTransaction {
                            for i in 0..<25 {
                                let at = EpochMillis(1_763_770_000_000 + batch * 1_000 + i)
                                try writer.appendReading(
                                    Reading(
                                        device: "W\(worker)", profile: "p", kind: .heartRate, value: .number(70),
                                        measuredAt: at, receivedAt: at))
                            }
                        }
                    }
                } else {
                    for _ in 0..<20 { _ = try reader.readings(device: ["W0", "W2"], kind: nil, since: 0, limit: 50) }
                }
            } catch {
                failures.add("\(error)")
            }
        }
        XCTAssertEqual(failures.all, [])
        XCTAssertEqual(try reader.readingCount(), 1_000)
        XCTAssertEqual(try writer.devices().map(\.device), ["W0", "W2", "W4", "W6"])
    }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.withLock { items.append(s) } }
    var all: [String] { lock.withLock { items } }
}
