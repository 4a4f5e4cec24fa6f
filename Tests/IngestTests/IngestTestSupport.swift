import AnxinCore
import AnxinTesting
import Foundation
import XCTest

@testable import Ingest

/// Records ingest events and lets a test wait for one, with a deadline, without sleeping.
final class EventRecorder: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [IngestEvent] = []

    var handler: @Sendable (IngestEvent) -> Void {
        { [self] event in
            condition.withLock {
                events.append(event)
                condition.broadcast()
            }
        }
    }

    var all: [IngestEvent] { condition.withLock { events } }

    /// Waits until `count` events satisfy `predicate`; returns the matching events (fewer on timeout).
    @discardableResult
    func wait(
        for count: Int = 1, timeout: TimeInterval = 10, _ predicate: (IngestEvent) -> Bool
    ) -> [IngestEvent] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while events.filter(predicate).count < count {
            if !condition.wait(until: deadline) { break }
        }
        return events.filter(predicate)
    }
}

/// The pipeline's side of the hand-off: a thread that drains it (optionally slowly) and keeps everything.
final class Drain: @unchecked Sendable {
    private let condition = NSCondition()
    private var messages: [InboundMessage] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - batch: most messages taken per `popBatch`.
    ///   - pauseMicros: time spent "processing" each batch, to make the consumer slower than the broker.
    init(_ handoff: MessageHandoff, batch: Int = 256, pauseMicros: UInt32 = 0) {
        let thread = Thread { [self] in
            while condition.withLock({ running }) {
                let got = handoff.popBatch(max: batch, timeoutMs: 20)
                if got.isEmpty { continue }
                condition.withLock {
                    messages.append(contentsOf: got)
                    condition.broadcast()
                }
                if pauseMicros > 0 { usleep(pauseMicros) }
            }
            finished.signal()
        }
        thread.start()
    }

    var received: [InboundMessage] { condition.withLock { messages } }

    /// Waits until at least `count` messages arrived; returns them all (fewer on timeout).
    @discardableResult
    func wait(forCount count: Int, timeout: TimeInterval = 15) -> [InboundMessage] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while messages.count < count {
            if !condition.wait(until: deadline) { break }
        }
        return messages
    }

    /// Waits until a message satisfies `predicate`; returns everything received (the match included).
    @discardableResult
    func wait(timeout: TimeInterval = 15, until predicate: (InboundMessage) -> Bool) -> [InboundMessage] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !messages.contains(where: predicate) {
            if !condition.wait(until: deadline) { break }
        }
        return messages
    }

    func stop() {
        condition.withLock { running = false }
        finished.wait()
    }
}

/// Waits, with a deadline, for a condition another thread makes true (polling only the condition).
func eventually(timeout: TimeInterval = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while !condition() {
        if Date() > deadline { return false }
        usleep(2_000)
    }
    return true
}

extension IngestEvent {
    var isConnected: Bool { if case .connected = self { true } else { false } }
    var isSubscribed: Bool { self == .subscribed }
    var isDisconnected: Bool { if case .disconnected = self { true } else { false } }
    var errorText: String? { if case .error(let text) = self { text } else { nil } }
}

extension InboundMessage {
    var text: String { String(decoding: payload, as: UTF8.self) }
}

/// Settings for a test broker, with a unique client id per test.
func testSettings(
    port: Int, clientID: String = "anxin-test-\(UUID().uuidString.prefix(8))", filters: [String] = ["devices/#"],
    maxPayload: Int = 262_144, username: String? = nil, password: String? = nil
) -> MQTTSettings {
    MQTTSettings(
        host: "127.0.0.1", port: port, clientID: clientID, username: username, password: password,
        keepAlive: 10, topicFilters: filters, maxPayload: maxPayload)
}

let fixedReceiveTime: EpochMillis = 1_795_000_000_123

/// An ingest started against `broker` with the test settings, a fresh hand-off and an event recorder.
func startIngest(broker: TestBroker, capacity: Int) throws -> (MQTTIngest, MessageHandoff, EventRecorder) {
    let handoff = MessageHandoff(capacity: capacity)
    let events = EventRecorder()
    let ingest = MQTTIngest(
        settings: testSettings(port: broker.port), handoff: handoff, clock: ManualWallClock(fixedReceiveTime),
        onEvent: events.handler)
    try ingest.start()
    return (ingest, handoff, events)
}
