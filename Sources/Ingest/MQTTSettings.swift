/// TLS files for the broker connection (PEM paths).
public struct TLSSettings: Sendable, Equatable {
    /// CA bundle that signs the broker's certificate.
    public var caFile: String
    /// Client certificate, when the broker asks for one.
    public var certFile: String?
    /// Key of `certFile` (unencrypted).
    public var keyFile: String?

    public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}

/// How the gateway connects to the broker and what it takes from it.
///
/// The session is persistent (clean start off, `sessionExpiry` sent in CONNECT), so QoS 1 messages
/// published while the gateway is away are queued by the broker and delivered on reconnect.
public struct MQTTSettings: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Must be stable across restarts: the broker keys the persistent session on it.
    public var clientID: String
    public var username: String?
    public var password: String?
    public var tls: TLSSettings?
    /// Seconds between keepalive pings (libmosquitto requires 0 or at least 5).
    public var keepAlive: Int
    /// Seconds the broker keeps the session (and queues for it) after the gateway disconnects.
    public var sessionExpiry: UInt32
    /// How many unacknowledged QoS 1/2 messages the broker may have in flight towards the gateway.
    public var receiveMaximum: UInt16
    /// QoS requested for every topic filter.
    public var qos: Int32
    public var topicFilters: [String]
    /// Messages whose payload is larger than this are counted and dropped, never copied.
    public var maxPayload: Int

    public init(
        host: String = "127.0.0.1", port: Int = 1883, clientID: String, username: String? = nil,
        password: String? = nil, tls: TLSSettings? = nil, keepAlive: Int = 30,
        sessionExpiry: UInt32 = 7 * 24 * 3600, receiveMaximum: UInt16 = 1000, qos: Int32 = 1,
        topicFilters: [String], maxPayload: Int = 262_144
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.username = username
        self.password = password
        self.tls = tls
        self.keepAlive = keepAlive
        self.sessionExpiry = sessionExpiry
        self.receiveMaximum = receiveMaximum
        self.qos = qos
        self.topicFilters = topicFilters
        self.maxPayload = maxPayload
    }

    /// The settings with the password redacted, safe for a log line.
    public var description: String {
        "mqtt://\(username.map { $0 + "@" } ?? "")\(host):\(port) client=\(clientID)"
            + " tls=\(tls != nil) password=\(password == nil ? "none" : "***") filters=\(topicFilters)"
    }

    /// Every problem that makes these settings unusable, in one list (empty when valid).
    public func problems() -> [String] {
        var out: [String] = []
        if host.isEmpty { out.append("mqtt.host is empty") }
        if !(1...65535).contains(port) { out.append("mqtt.port \(port) is not in 1...65535") }
        if clientID.isEmpty { out.append("mqtt.client_id is empty (a persistent session needs a stable id)") }
        if clientID.utf8.count > 65535 { out.append("mqtt.client_id is too long") }
        if keepAlive != 0 && !(5...65535).contains(keepAlive) {
            out.append("keepalive \(keepAlive) must be 0 or 5...65535 seconds")
        }
        if receiveMaximum == 0 { out.append("receive maximum must be at least 1") }
        if !(0...2).contains(qos) { out.append("qos \(qos) is not 0, 1 or 2") }
        if topicFilters.isEmpty { out.append("no topic filters to subscribe to") }
        for f in topicFilters where f.isEmpty { out.append("an empty topic filter") }
        if maxPayload < 1 { out.append("mqtt.max_payload must be positive") }
        if password != nil && username == nil { out.append("a password is set without a username") }
        return out
    }
}
