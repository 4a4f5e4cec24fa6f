import AnxinCore

/// One MQTT message as the broker delivered it, copied out of libmosquitto's buffer.
///
/// Two allocations per message (topic and payload); the pipeline decodes from `payload` directly.
public struct InboundMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    /// Wall-clock time the loop thread took the message from the socket.
    public var receivedAt: EpochMillis

    public init(topic: String, payload: [UInt8], receivedAt: EpochMillis) {
        self.topic = topic
        self.payload = payload
        self.receivedAt = receivedAt
    }
}
