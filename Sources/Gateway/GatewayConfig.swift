import AnxinCore
import Foundation

/// The daemon's configuration (SPEC section 2). Defaults live here and nowhere else.
public struct GatewayConfig: Sendable {
    public struct TLS: Sendable, Hashable {
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
    }
    public struct MQTT: Sendable {
        public var host = "127.0.0.1"
        public var port = 1883
        public var clientID: String?
        public var username: String?
        public var passwordFile: String?
        public var tls: TLS?
        public var maxPayload = 262_144
        public var qos: Int32 = 1
        public var receiveMaximum: UInt16 = 1000
        public var keepAliveSeconds = 30
    }
    public struct Storage: Sendable {
        public var path: String?
        /// Readings are committed in batches at most this far apart.
        public var batchIntervalMs = 100
    }
    public struct HTTP: Sendable {
        public var host = "127.0.0.1"
        public var port = 8349
    }
    public struct Hotline: Sendable {
        public var url: String?
        public var secretFile: String?
        public var timeoutSeconds = 10
    }

    /// Where the file was read from (nil: embedded defaults).
    public var sourcePath: String?
    public var gatewayID: String = GatewayConfig.hostName()
    public var timezone = "Asia/Shanghai"
    public var utcOffsetSeconds = 8 * 3600
    public var mqtt = MQTT()
    public var storage = Storage()
    /// Profile folders; empty means the profiles embedded in the binary.
    public var profiles: [String] = []
    public var registry: String?
    /// Rules file; nil means the rules embedded in the binary.
    public var rules: String?
    public var http = HTTP()
    public var hotline = Hotline()
    /// Capacity of the hand-off between the MQTT loop and the pipeline.
    public var handoffCapacity = 8192

    public init() {}

    public var clientID: String { mqtt.clientID ?? "anxin-\(gatewayID)" }

    /// The database path: configured, else `$STATE_DIRECTORY/anxin.db`, else `./anxin.db`.
    public var databasePath: String {
        if let p = storage.path { return p }
        if let dir = ProcessInfo.processInfo.environment["STATE_DIRECTORY"], !dir.isEmpty {
            let first = dir.split(separator: ":").first.map(String.init) ?? dir
            return first + "/anxin.db"
        }
        return FileManager.default.currentDirectoryPath + "/anxin.db"
    }

    static func hostName() -> String {
        let h = ProcessInfo.processInfo.hostName
        return h.isEmpty ? "anxin" : h
    }
}
