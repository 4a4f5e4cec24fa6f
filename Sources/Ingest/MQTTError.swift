/// A failure of the MQTT client, classified by what the caller should do next.
///
/// Built only from libmosquitto return codes and MQTT reason codes (see `MosquittoClient.swift`,
/// the one file that talks to the C library). The text never carries a payload or a resident's data.
public struct MQTTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, independent of the library's numbering.
    public enum Kind: String, Sendable, Equatable {
        case invalidSettings = "invalid settings"
        case outOfMemory = "out of memory"
        case notConnected = "not connected"
        case connectionRefused = "connection refused"
        case notAuthorized = "not authorized"
        case connectionLost = "connection lost"
        case tls = "TLS failure"
        case protocolViolation = "protocol violation"
        case payloadTooLarge = "payload too large"
        case lookupFailed = "host lookup failed"
        case system = "system call failed"
        case timeout = "timed out"
        case unsupported = "not supported"
        case unknown = "unknown failure"
    }

    /// What happens next.
    public enum Recovery: String, Sendable, Equatable {
        /// The configuration (host, credentials, TLS files, settings) must change; retrying as-is will not help.
        case fixConfiguration = "fix the configuration"
        /// Transient: the ingest retries by itself with backoff; a one-shot caller may retry later.
        case retryLater = "retry later"
    }

    /// The MQTT step that failed, for the log line.
    public enum Operation: String, Sendable, Equatable {
        case configure, connect, handshake, subscribe, unsubscribe, publish, read, write, keepalive, disconnect
    }

    public let kind: Kind
    public let operation: Operation
    /// The libmosquitto return code (`MOSQ_ERR_*`), or the MQTT reason code for a refused CONNACK.
    public let code: Int32
    /// Library text for the code (for example "Connection refused"); never payload bytes.
    public let detail: String

    public init(kind: Kind, operation: Operation, code: Int32, detail: String) {
        self.kind = kind
        self.operation = operation
        self.code = code
        self.detail = detail
    }

    /// What the caller should do next.
    public var recovery: Recovery {
        switch kind {
        case .invalidSettings, .notAuthorized, .tls, .unsupported, .payloadTooLarge: .fixConfiguration
        default: .retryLater
        }
    }

    public var description: String {
        "MQTT \(operation.rawValue) failed: \(kind.rawValue) (\(detail), code \(code)); \(recovery.rawValue)"
    }

    static func invalidSettings(_ what: String) -> MQTTError {
        MQTTError(kind: .invalidSettings, operation: .configure, code: 3, detail: what)
    }
}
