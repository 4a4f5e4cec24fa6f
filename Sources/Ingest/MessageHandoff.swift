import Foundation

/// Bounded multi-producer / single-consumer hand-off between the MQTT loop thread and the pipeline.
///
/// - `push` never blocks: it returns `false` when `capacity` messages are waiting.
/// - `popBatch` is for the pipeline thread: it waits up to a timeout for the first message and takes
///   what is there, up to `max`.
/// - Back-pressure: before each socket read the ingest asks `reserveForRead(headroom:)`; when there is not
///   enough room it stops reading (so TCP fills and the broker holds the messages) and `popBatch` wakes it
///   through the space listener once at least half the capacity is free again.
public final class MessageHandoff: @unchecked Sendable {
    /// Most messages `push` accepts before it returns `false`.
    public let capacity: Int

    private let condition = NSCondition()
    private var items: [InboundMessage] = []
    private var head = 0
    private var producerWaiting = false
    private var resumeWhenFree = 1
    private var spaceListener: (@Sendable () -> Void)?
    /// The consumer waits in `popBatch` for a first message.
    private var consumerWaiting = false
    /// Messages were pushed without waking the consumer (`push(_:wake: false)`).
    private var wakeOwed = false

    /// - Parameter capacity: at least 1.
    public init(capacity: Int) {
        precondition(capacity >= 1, "a hand-off needs room for at least one message")
        self.capacity = capacity
        items.reserveCapacity(min(capacity, 4096))
    }

    /// Messages waiting for the pipeline.
    public var count: Int { condition.withLock { items.count - head } }

    /// Appends a message; `false` (and nothing stored) when the hand-off is full. Never blocks.
    ///
    /// With `wake: false` a waiting consumer is not woken yet: the ingest pushes each message of a
    /// burst of socket reads that way and calls `wakeConsumer()` once the burst ends (microseconds
    /// later), so the pipeline wakes once a burst, not once a message, each wake a futex call and a
    /// context switch for both threads on a machine whose two cores the broker shares.
    public func push(_ message: InboundMessage, wake: Bool = true) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard items.count - head < capacity else { return false }
        items.append(message)
        if !consumerWaiting {
            wakeOwed = false
        } else if wake {
            wakeOwed = false
            condition.signal()
        } else {
            wakeOwed = true
        }
        return true
    }

    /// The consumer waits in `popBatch` (for tests).
    var consumerIsWaiting: Bool { condition.withLock { consumerWaiting } }

    /// Wakes the consumer if messages pushed with `wake: false` wait for it.
    public func wakeConsumer() {
        condition.lock()
        defer { condition.unlock() }
        guard wakeOwed else { return }
        wakeOwed = false
        if consumerWaiting { condition.signal() }
    }

    /// Takes up to `max` messages in arrival order, waiting up to `timeoutMs` for the first one.
    /// Returns an empty array when nothing arrived in time.
    public func popBatch(max: Int, timeoutMs: Int) -> [InboundMessage] {
        precondition(max >= 1)
        var notify: (@Sendable () -> Void)?
        let batch: [InboundMessage]
        condition.lock()
        if items.count == head && timeoutMs > 0 {
            let deadline = Date(timeIntervalSinceNow: Double(timeoutMs) / 1000)
            consumerWaiting = true
            while items.count == head {
                if !condition.wait(until: deadline) { break }
            }
            consumerWaiting = false
        }
        wakeOwed = false
        let n = Swift.min(max, items.count - head)
        if n == 0 {
            batch = []
        } else {
            batch = Array(items[head..<(head + n)])
            head += n
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            if producerWaiting && capacity - (items.count - head) >= resumeWhenFree {
                producerWaiting = false
                notify = spaceListener
            }
        }
        condition.unlock()
        notify?()
        return batch
    }

    // MARK: - For the ingest loop thread

    /// `true` when at least `headroom` slots are free. Otherwise records that the reader is waiting, so the
    /// next `popBatch` that frees half the capacity (or `headroom`, if larger) calls the space listener.
    func reserveForRead(headroom: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if capacity - (items.count - head) >= headroom { return true }
        producerWaiting = true
        resumeWhenFree = Swift.min(capacity, Swift.max(headroom, capacity / 2))
        return false
    }

    /// Called (on the consumer's thread, outside the lock) when a waiting reader may read again.
    func setSpaceListener(_ listener: (@Sendable () -> Void)?) {
        condition.withLock { spaceListener = listener }
    }

    /// Appends regardless of capacity. Only for shutdown, so messages already acknowledged to the broker
    /// are never dropped; the overshoot is bounded by the ingest's overflow list.
    func pushBeyondCapacity(_ messages: [InboundMessage]) {
        guard !messages.isEmpty else { return }
        condition.withLock {
            items.append(contentsOf: messages)
            condition.signal()
        }
    }
}
