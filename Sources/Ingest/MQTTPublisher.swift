/// A small synchronous MQTT v5 publisher for the device simulator, benchmarks and tests.
///
/// Everything runs on the caller's thread: `publish` queues and sends, pumping the connection while more
/// than `window` messages await their acknowledgement; `flush` waits until the broker acknowledged all.
/// Not thread-safe: use one publisher per thread.
public final class MQTTPublisher {
    /// Most unacknowledged messages before `publish` waits for acknowledgements.
    public let window: Int
    private let client: MosquittoClient
    private let tracker = Tracker()
    private var closed = false

    private final class Tracker: MosquittoClientDelegate {
        var connackCode: Int32?
        var outstanding = Set<Int32>()
        var acknowledged = 0
        var disconnected = false

        func mosquittoDidConnect(reasonCode: Int32, sessionPresent: Bool) { connackCode = reasonCode }
        func mosquittoDidDisconnect(code: Int32) { disconnected = true }
        func mosquittoDidPublish(messageID: Int32) {
            if outstanding.remove(messageID) != nil { acknowledged += 1 }
        }
    }

    /// Connects (clean session) and waits for the broker's CONNACK.
    /// - Throws: `MQTTError` when the broker cannot be reached, refuses the login, or does not answer in time.
    public init(
        host: String = "127.0.0.1", port: Int, clientID: String, username: String? = nil, password: String? = nil,
        window: Int = 1000, timeoutMs: Int = 10_000
    ) throws(MQTTError) {
        self.window = Swift.max(1, window)
        client = try MosquittoClient(clientID: clientID, cleanStart: true)
        client.delegate = tracker
        try client.useMQTT5(receiveMaximum: UInt16(Swift.min(self.window, 65535)))
        try client.setCredentials(username: username, password: password)
        try client.connect(host: host, port: port, keepAlive: 30, sessionExpiry: nil, receiveMaximum: nil)
        let deadline = IngestLoop.monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        while tracker.connackCode == nil {
            do {
                try client.pump(timeoutMs: 50)
            } catch {
                // A refused CONNACK also fails the read that delivered it: report the refusal.
                if tracker.connackCode == nil { throw error }
            }
            if tracker.connackCode == nil && IngestLoop.monotonicNanos() > deadline {
                throw MQTTError(kind: .timeout, operation: .handshake, code: 27, detail: "no CONNACK from the broker")
            }
        }
        if let code = tracker.connackCode, code != 0 {
            throw MQTTError(
                kind: code == 134 || code == 135 ? .notAuthorized : .connectionRefused, operation: .handshake,
                code: code, detail: MosquittoClient.reasonText(code))
        }
    }

    deinit { close() }

    /// Messages the broker has acknowledged so far (QoS 0 messages count once written).
    public var acknowledgedCount: Int { tracker.acknowledged }

    /// Queues one message and sends what the connection can take; waits only when `window` messages
    /// are still unacknowledged.
    public func publish(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) throws(MQTTError) {
        guard !closed else {
            throw MQTTError(kind: .notConnected, operation: .publish, code: 4, detail: "the publisher is closed")
        }
        let mid = try client.publish(topic: topic, payload: payload, qos: qos, retain: retain)
        tracker.outstanding.insert(mid)
        while tracker.outstanding.count >= window {
            try client.pump(timeoutMs: 100)
        }
    }

    /// Waits until every published message is acknowledged by the broker (QoS 1/2) or written (QoS 0).
    public func flush(timeoutMs: Int = 30_000) throws(MQTTError) {
        let deadline = IngestLoop.monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        while !tracker.outstanding.isEmpty {
            try client.pump(timeoutMs: 50)
            if IngestLoop.monotonicNanos() > deadline {
                throw MQTTError(
                    kind: .timeout, operation: .publish, code: 27,
                    detail: "\(tracker.outstanding.count) messages still unacknowledged")
            }
        }
    }

    /// Sends DISCONNECT and releases the connection. Further publishes throw.
    public func close() {
        guard !closed else { return }
        closed = true
        client.disconnect()
        var rounds = 0
        while client.socketDescriptor >= 0 && client.wantsWrite && rounds < 100 {
            try? client.writeOutgoing()
            rounds += 1
        }
    }
}
