import Synchronization

/// Fans alert changes out to live staff screens (`GET /api/v1/events`).
///
/// The gateway calls `publish` on every open, update, acknowledgement, resolution and escalation.
/// Publishing never waits: each subscriber has a bounded buffer, and a client too slow to keep up
/// loses its oldest undelivered events (counted in `droppedEvents`), never the publisher's time.
public final class AlertEventHub: Sendable {
    /// Events buffered per subscriber before the oldest are dropped.
    public let bufferLimit: Int
    private let state = Mutex(HubState())

    struct HubState: ~Copyable {
        var subscribers: [UInt64: AsyncStream<String>.Continuation] = [:]
        var nextID: UInt64 = 0
        var closed = false
        var dropped = 0
    }

    /// - Parameter bufferLimit: events kept per subscriber awaiting delivery (at least 1).
    public init(bufferLimit: Int = 256) {
        self.bufferLimit = max(1, bufferLimit)
    }

    /// Sends an alert's current state to every subscriber as `event: alert` with the alert JSON.
    public func publish(_ alert: AlertView) {
        let frame = "event: alert\ndata: " + alert.jsonText + "\n\n"
        state.withLock { s in
            for continuation in s.subscribers.values {
                if case .dropped = continuation.yield(frame) { s.dropped += 1 }
            }
        }
    }

    /// How many live streams are connected.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Events dropped so far because a subscriber's buffer was full.
    public var droppedEvents: Int { state.withLock { $0.dropped } }

    /// Ends every stream and refuses new ones; called when the server shuts down gracefully.
    public func close() {
        let ending = state.withLock { s in
            s.closed = true
            let all = Array(s.subscribers.values)
            s.subscribers.removeAll()
            return all
        }
        for continuation in ending { continuation.finish() }
    }

    /// A new subscriber: the frames to write, in order, until the client leaves or the hub closes.
    func subscribe() -> AlertSubscription {
        let (frames, continuation) = AsyncStream.makeStream(
            of: String.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let id: UInt64? = state.withLock { s in
            guard !s.closed else { return nil }
            let id = s.nextID
            s.nextID += 1
            s.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return AlertSubscription(frames: frames, continuation: continuation)
        }
        continuation.onTermination = { [weak self] _ in
            self?.unsubscribe(id)
        }
        return AlertSubscription(frames: frames, continuation: continuation)
    }

    private func unsubscribe(_ id: UInt64) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
}

/// One live stream's frames, plus a way to slip a keep-alive comment into it.
struct AlertSubscription: Sendable {
    let frames: AsyncStream<String>
    let continuation: AsyncStream<String>.Continuation

    /// Queues an SSE comment that keeps proxies from closing an idle stream.
    func sendKeepAlive() {
        continuation.yield(": keep-alive\n\n")
    }

    /// Ends this stream (the client went away).
    func finish() {
        continuation.finish()
    }
}
