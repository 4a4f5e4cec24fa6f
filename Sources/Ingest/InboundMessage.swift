import AnxinCore

/// One MQTT message as the broker delivered it, copied out of libmosquitto's buffer.
///
/// Its topic and payload bytes live in a ``MessageSlab`` shared with the messages received around it:
/// the loop thread copies each message into the slab it is filling, and the slab is freed once the
/// pipeline has let go of all of them. Two allocations per message (a topic string and a payload
/// array), made on the loop thread and freed on the pipeline thread, had cost both threads a malloc
/// arena's lock for every message.
public struct InboundMessage: Sendable, Equatable {
    let slab: MessageSlab
    let topicStart: Int32
    let topicCount: Int32
    let payloadCount: Int32
    /// Wall-clock time the loop thread took the message from the socket.
    public var receivedAt: EpochMillis

    public init(topic: String, payload: [UInt8], receivedAt: EpochMillis) {
        let slab = MessageSlab(capacity: topic.utf8.count + payload.count)
        var topic = topic
        let start = topic.withUTF8 { t in
            payload.withUnsafeBytes { p in slab.append(topic: UnsafeRawBufferPointer(t), payload: p) }
        }
        self.init(
            slab: slab, at: start, topicCount: topic.utf8.count, payloadCount: payload.count, receivedAt: receivedAt)
    }

    init(slab: MessageSlab, at start: Int, topicCount: Int, payloadCount: Int, receivedAt: EpochMillis) {
        self.slab = slab
        self.topicStart = Int32(start)
        self.topicCount = Int32(topicCount)
        self.payloadCount = Int32(payloadCount)
        self.receivedAt = receivedAt
    }

    /// The topic, made on each call (the pipeline reads the bytes instead, ``withBytes(_:)``).
    public var topic: String {
        String(
            decoding: UnsafeRawBufferPointer(start: slab.base + Int(topicStart), count: Int(topicCount)), as: UTF8.self)
    }

    /// The payload's bytes, valid only inside `body`.
    public func withPayload<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withBytes { _, payload in try body(payload) }
    }

    /// The topic's and the payload's bytes, valid only inside `body`.
    public func withBytes<R>(
        _ body: (_ topic: UnsafeRawBufferPointer, _ payload: UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        try withExtendedLifetime(slab) {
            let topic = slab.base + Int(topicStart)
            return try body(
                UnsafeRawBufferPointer(start: topic, count: Int(topicCount)),
                UnsafeRawBufferPointer(start: topic + Int(topicCount), count: Int(payloadCount)))
        }
    }

    /// A copy of the payload.
    public var payload: [UInt8] { withPayload { [UInt8]($0) } }

    public static func == (a: InboundMessage, b: InboundMessage) -> Bool {
        a.receivedAt == b.receivedAt && a.topicCount == b.topicCount && a.payloadCount == b.payloadCount
            && a.withPayload { pa in b.withPayload { pb in pa.elementsEqual(pb) } } && a.topic == b.topic
    }
}

/// Room for the bytes of many messages, filled by the ingest loop thread only; a message holds a
/// reference to the slab its bytes are in. Bytes once written are never changed, and reach the
/// pipeline thread through the hand-off's lock.
final class MessageSlab: @unchecked Sendable {
    /// Slabs the loop thread fills: ~300 messages of the usual 200 bytes each.
    static let size = 64 * 1024

    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var used = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// Bytes still free.
    var room: Int { capacity - used }

    /// Copies a topic and its payload in (they must fit in ``room``); where the topic starts.
    func append(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> Int {
        let start = used
        precondition(capacity - start >= topic.count + payload.count, "a message slab was overfilled")
        if let t = topic.baseAddress, !topic.isEmpty { (base + start).copyMemory(from: t, byteCount: topic.count) }
        if let p = payload.baseAddress, !payload.isEmpty {
            (base + start + topic.count).copyMemory(from: p, byteCount: payload.count)
        }
        used = start + topic.count + payload.count
        return start
    }
}
