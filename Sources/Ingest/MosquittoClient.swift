import CMosquitto
import CSocketBuffer
import Foundation

// The one file that talks to libmosquitto. Everything above it sees Swift types and `MQTTError`.

/// `mosquitto_lib_init` runs exactly once per process, on first use.
enum MosquittoLibrary {
    private static let initialized: Bool = {
        mosquitto_lib_init()
        return true
    }()

    static func ensureInitialized() { _ = initialized }
}

/// Receives libmosquitto's callbacks. They run inside `readIncoming`/`writeOutgoing`/`housekeeping`/`pump`,
/// on the thread that called those, with libmosquitto's callback mutex held: copy, hand off, return.
protocol MosquittoClientDelegate: AnyObject {
    func mosquittoDidConnect(reasonCode: Int32, sessionPresent: Bool)
    func mosquittoDidDisconnect(code: Int32)
    /// `topic` and `payload` are valid only during the call.
    func mosquittoDidReceive(topic: UnsafePointer<CChar>, payload: UnsafeRawBufferPointer)
    func mosquittoDidSubscribe(messageID: Int32, grantedQoS: UnsafeBufferPointer<Int32>)
    func mosquittoDidUnsubscribe(messageID: Int32)
    func mosquittoDidPublish(messageID: Int32)
}

extension MosquittoClientDelegate {
    func mosquittoDidReceive(topic: UnsafePointer<CChar>, payload: UnsafeRawBufferPointer) {}
    func mosquittoDidSubscribe(messageID: Int32, grantedQoS: UnsafeBufferPointer<Int32>) {}
    func mosquittoDidUnsubscribe(messageID: Int32) {}
    func mosquittoDidPublish(messageID: Int32) {}
}

/// One `struct mosquitto *`, MQTT v5, driven by the caller's own thread (never `mosquitto_loop_start`).
///
/// Not thread-safe: it is confined to one thread at a time (created on the caller, then moved to the
/// ingest's loop thread). `@unchecked Sendable` only to allow that single move.
final class MosquittoClient: @unchecked Sendable {
    private let handle: OpaquePointer
    weak var delegate: MosquittoClientDelegate?
    /// The first OpenSSL error libmosquitto logged since the last `connect` (for example "certificate verify
    /// failed", "tlsv13 alert unknown ca"): the reason behind a bare `MOSQ_ERR_TLS` or a dropped TLS session.
    private(set) var tlsFailure: String?

    /// - Parameters:
    ///   - cleanStart: `false` for the gateway's persistent session.
    ///   - muteWakePair: for a client never driven by `mosquitto_loop` (``pump(timeoutMs:)``): the byte
    ///     libmosquitto writes to its wake-up socket pair with every packet it queues (an acknowledgement per
    ///     message) is not written, since nobody would read it (socket_buffer.c).
    init(clientID: String, cleanStart: Bool, muteWakePair: Bool = false) throws(MQTTError) {
        MosquittoLibrary.ensureInitialized()
        if muteWakePair { anxin_wake_pair_watch(1) }
        let made = mosquitto_new(clientID, cleanStart, nil)
        if muteWakePair {
            anxin_wake_pair_watch(0)
            if made != nil { _ = anxin_wake_pair_mute(anxin_wake_pair_watched()) }
        }
        guard let h = made else {
            throw MQTTError(
                kind: errno == EINVAL ? .invalidSettings : .outOfMemory, operation: .configure,
                code: errno == EINVAL ? 3 : 1, detail: "cannot create the MQTT client")
        }
        handle = h
        mosquitto_user_data_set(h, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_v5_callback_set(h, mosquittoOnConnect)
        mosquitto_disconnect_callback_set(h, mosquittoOnDisconnect)
        mosquitto_message_callback_set(h, mosquittoOnMessage)
        mosquitto_subscribe_callback_set(h, mosquittoOnSubscribe)
        mosquitto_unsubscribe_callback_set(h, mosquittoOnUnsubscribe)
        mosquitto_publish_callback_set(h, mosquittoOnPublish)
    }

    deinit { mosquitto_destroy(handle) }

    /// Selects MQTT v5 (must precede connect) and the client-side receive maximum.
    func useMQTT5(receiveMaximum: UInt16) throws(MQTTError) {
        try mosqCheck(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5), .configure)
        try mosqCheck(mosquitto_int_option(handle, MOSQ_OPT_RECEIVE_MAXIMUM, Int32(receiveMaximum)), .configure)
        try mosqCheck(mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1), .configure)
    }

    func setCredentials(username: String?, password: String?) throws(MQTTError) {
        guard username != nil || password != nil else { return }
        try mosqCheck(mosquitto_username_pw_set(handle, username, password), .configure)
    }

    func setTLS(_ tls: TLSSettings) throws(MQTTError) {
        try mosqCheck(mosquitto_tls_set(handle, tls.caFile, nil, tls.certFile, tls.keyFile, nil), .configure)
    }

    /// Blocking TCP connect (DNS lookup included) and CONNECT sent; CONNACK arrives through the delegate.
    /// Session expiry and receive maximum travel as CONNECT properties (a reconnect via
    /// `mosquitto_reconnect` would drop them, so every attempt comes through here).
    func connect(host: String, port: Int, keepAlive: Int, sessionExpiry: UInt32?, receiveMaximum: UInt16?)
        throws(MQTTError)
    {
        tlsFailure = nil
        // The library's log is read only until the broker accepts the session (what a refused TLS
        // handshake says): with a log callback set it formats lines for every packet, two per message.
        mosquitto_log_callback_set(handle, mosquittoOnLog)
        var properties: OpaquePointer?
        defer { mosquitto_property_free_all(&properties) }
        if let sessionExpiry {
            try mosqCheck(
                mosquitto_property_add_int32(
                    &properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), sessionExpiry), .configure)
        }
        if let receiveMaximum {
            try mosqCheck(
                mosquitto_property_add_int16(
                    &properties, Int32(MQTT_PROP_RECEIVE_MAXIMUM.rawValue), receiveMaximum), .configure)
        }
        try mosqCheck(
            mosquitto_connect_bind_v5(handle, host, Int32(port), Int32(keepAlive), nil, properties), .connect)
    }

    /// The connection's socket, or -1 while disconnected.
    var socketDescriptor: Int32 { mosquitto_socket(handle) }

    /// Outgoing packets are queued: poll for POLLOUT and call `writeOutgoing`.
    var wantsWrite: Bool { mosquitto_want_write(handle) }

    /// Reads from the socket; may deliver one or more messages to the delegate.
    func readIncoming() throws(MQTTError) { try mosqCheck(mosquitto_loop_read(handle, 1), .read) }

    func writeOutgoing() throws(MQTTError) { try mosqCheck(mosquitto_loop_write(handle, 1), .write) }

    /// Keepalive (PINGREQ, timeout detection) and retries; call at least once a second.
    func housekeeping() throws(MQTTError) { try mosqCheck(mosquitto_loop_misc(handle), .keepalive) }

    /// One round of libmosquitto's own select loop (read, write, misc), for the synchronous publisher.
    func pump(timeoutMs: Int) throws(MQTTError) { try mosqCheck(mosquitto_loop(handle, Int32(timeoutMs), 1), .read) }

    /// Sends one SUBSCRIBE for all filters; returns its message id. Retained messages are sent only for
    /// a subscription that is new to the session, so re-subscribing never replays them.
    func subscribe(_ filters: [String], qos: Int32) throws(MQTTError) -> Int32 {
        var mid: Int32 = 0
        try withCStringArray(filters) { (array) throws(MQTTError) in
            try mosqCheck(
                mosquitto_subscribe_multiple(
                    handle, &mid, Int32(filters.count), array, qos,
                    Int32(MQTT_SUB_OPT_SEND_RETAIN_NEW.rawValue), nil), .subscribe)
        }
        return mid
    }

    func unsubscribe(_ filters: [String]) throws(MQTTError) -> Int32 {
        var mid: Int32 = 0
        try withCStringArray(filters) { (array) throws(MQTTError) in
            try mosqCheck(mosquitto_unsubscribe_multiple(handle, &mid, Int32(filters.count), array, nil), .unsubscribe)
        }
        return mid
    }

    func publish(topic: String, payload: [UInt8], qos: Int32, retain: Bool) throws(MQTTError) -> Int32 {
        var mid: Int32 = 0
        let rc = payload.withUnsafeBytes { bytes in
            mosquitto_publish(handle, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos, retain)
        }
        try mosqCheck(rc, .publish)
        return mid
    }

    /// Sends DISCONNECT (normal disconnection: the session and its queue stay on the broker).
    func disconnect() {
        _ = mosquitto_disconnect_v5(handle, 0, nil)
    }

    /// Keeps the first OpenSSL error of a connection attempt; other log lines are dropped (the ingest reports
    /// what matters through `IngestEvent`). The line names a library routine and reason, never payload bytes.
    fileprivate func noteLog(level: Int32, text: UnsafePointer<CChar>) {
        guard level == MOSQ_LOG_ERR, tlsFailure == nil else { return }
        let line = String(cString: text)
        guard line.hasPrefix("OpenSSL Error") else { return }
        // "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed" -> the reason after the last ':'
        let reason = line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        tlsFailure = reason.isEmpty ? line : reason
    }

    /// Text for an MQTT v5 reason code (CONNACK, SUBACK, DISCONNECT).
    static func reasonText(_ code: Int32) -> String {
        sentenceFragment(String(cString: mosquitto_reason_string(code)))
    }

    /// Text for a libmosquitto return code.
    static func errorText(_ code: Int32) -> String {
        sentenceFragment(String(cString: mosquitto_strerror(code)))
    }

    /// The library's sentences end with a period; ours embed them in longer messages.
    private static func sentenceFragment(_ text: String) -> String {
        text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    private func withCStringArray(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws(MQTTError) -> Void
    ) throws(MQTTError) {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        if copies.contains(where: { $0 == nil }) {
            throw MQTTError(kind: .outOfMemory, operation: .subscribe, code: 1, detail: "out of memory")
        }
        try copies.withUnsafeBufferPointer { (buffer) throws(MQTTError) in
            try body(buffer.baseAddress!)
        }
    }
}

/// The one mapping from every libmosquitto return code to a typed error (success returns normally).
func mosqCheck(_ rc: Int32, _ operation: MQTTError.Operation) throws(MQTTError) {
    if let error = MQTTError(mosquittoCode: rc, operation: operation) { throw error }
}

extension MQTTError {
    /// `nil` for `MOSQ_ERR_SUCCESS`; otherwise the typed error for `code`.
    init?(mosquittoCode code: Int32, operation: Operation) {
        let savedErrno = errno
        let kind: Kind
        switch mosq_err_t(rawValue: code) {
        case MOSQ_ERR_SUCCESS: return nil
        case MOSQ_ERR_AUTH_CONTINUE, MOSQ_ERR_NO_SUBSCRIBERS, MOSQ_ERR_SUB_EXISTS, MOSQ_ERR_CONN_PENDING,
            MOSQ_ERR_PLUGIN_DEFER:
            // Informational codes a client never sees as failures.
            return nil
        case MOSQ_ERR_NOMEM: kind = .outOfMemory
        case MOSQ_ERR_PROTOCOL, MOSQ_ERR_MALFORMED_PACKET, MOSQ_ERR_DUPLICATE_PROPERTY, MOSQ_ERR_TOPIC_ALIAS_INVALID,
            MOSQ_ERR_MALFORMED_UTF8, MOSQ_ERR_OVERSIZE_PACKET:
            kind = .protocolViolation
        case MOSQ_ERR_INVAL, MOSQ_ERR_NOT_FOUND, MOSQ_ERR_ALREADY_EXISTS: kind = .invalidSettings
        case MOSQ_ERR_NO_CONN: kind = .notConnected
        case MOSQ_ERR_CONN_REFUSED: kind = .connectionRefused
        case MOSQ_ERR_CONN_LOST, MOSQ_ERR_KEEPALIVE, MOSQ_ERR_ADMINISTRATIVE_ACTION: kind = .connectionLost
        case MOSQ_ERR_TLS, MOSQ_ERR_TLS_HANDSHAKE, MOSQ_ERR_OCSP: kind = .tls
        case MOSQ_ERR_PAYLOAD_SIZE: kind = .payloadTooLarge
        case MOSQ_ERR_NOT_SUPPORTED, MOSQ_ERR_QOS_NOT_SUPPORTED, MOSQ_ERR_RETAIN_NOT_SUPPORTED: kind = .unsupported
        case MOSQ_ERR_AUTH, MOSQ_ERR_ACL_DENIED: kind = .notAuthorized
        case MOSQ_ERR_ERRNO:
            kind = savedErrno == ECONNREFUSED ? .connectionRefused : .system
        case MOSQ_ERR_EAI, MOSQ_ERR_LOOKUP: kind = .lookupFailed
        case MOSQ_ERR_TIMEOUT: kind = .timeout
        case MOSQ_ERR_PROXY, MOSQ_ERR_UNKNOWN: kind = .unknown
        default: kind = .unknown
        }
        let detail =
            code == MOSQ_ERR_ERRNO.rawValue
            ? String(cString: strerror(savedErrno)) : MosquittoClient.errorText(code)
        self.init(kind: kind, operation: operation, code: code, detail: detail)
    }
}

// MARK: - C callbacks (free functions: no captures, the Swift object travels in the userdata pointer)

private func client(_ userdata: UnsafeMutableRawPointer?) -> MosquittoClient? {
    guard let userdata else { return nil }
    return Unmanaged<MosquittoClient>.fromOpaque(userdata).takeUnretainedValue()
}

private func mosquittoOnConnect(
    _ mosq: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?, _ rc: Int32, _ flags: Int32,
    _ props: OpaquePointer?
) {
    // Accepted: no more log lines (`connect` sets the callback again for the next attempt).
    if rc == 0 { mosquitto_log_callback_set(mosq, nil) }
    client(userdata)?.delegate?.mosquittoDidConnect(reasonCode: rc, sessionPresent: flags & 1 == 1)
}

private func mosquittoOnDisconnect(_ mosq: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?, _ rc: Int32) {
    client(userdata)?.delegate?.mosquittoDidDisconnect(code: rc)
}

private func mosquittoOnMessage(
    _ mosq: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?, _ message: UnsafePointer<mosquitto_message>?
) {
    guard let message, let topic = message.pointee.topic, let delegate = client(userdata)?.delegate else { return }
    let length = Int(message.pointee.payloadlen)
    let payload = UnsafeRawBufferPointer(start: length > 0 ? message.pointee.payload : nil, count: length)
    delegate.mosquittoDidReceive(topic: UnsafePointer(topic), payload: payload)
}

private func mosquittoOnSubscribe(
    _ mosq: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?, _ mid: Int32, _ count: Int32,
    _ granted: UnsafePointer<Int32>?
) {
    let buffer = UnsafeBufferPointer(start: granted, count: granted == nil ? 0 : Int(count))
    client(userdata)?.delegate?.mosquittoDidSubscribe(messageID: mid, grantedQoS: buffer)
}

private func mosquittoOnUnsubscribe(_ mosq: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?, _ mid: Int32) {
    client(userdata)?.delegate?.mosquittoDidUnsubscribe(messageID: mid)
}

private func mosquittoOnLog(
    _ mosq: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?, _ level: Int32, _ text: UnsafePointer<CChar>?
) {
    guard let text else { return }
    client(userdata)?.noteLog(level: level, text: text)
}

private func mosquittoOnPublish(_ mosq: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?, _ mid: Int32) {
    client(userdata)?.delegate?.mosquittoDidPublish(messageID: mid)
}
