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
        /// Readings older than this many days are deleted (`RetentionService`); 0 keeps them forever.
        public var retentionDays = 180
        /// The database never grows past this many MiB (`PRAGMA max_page_count`); past it readings are
        /// shed and alerts still stored, as on a full disk. 0: no cap but the disk's.
        public var maxSizeMB = 0
        /// Readings one device may store per second on average (bursts of 100 times that); past it they
        /// are shed and counted, events never. 0: no limit.
        public var deviceReadingsPerSecond = 20
        /// The cap in 4 KiB pages (the store's page size), nil when there is none.
        public var maxPages: Int? { maxSizeMB > 0 ? maxSizeMB * 256 : nil }
    }
    public struct HTTP: Sendable {
        public var host = "127.0.0.1"
        public var port = 8349
        /// Address staff messages link to (default `http://<listen>`).
        public var publicURL: String?
        /// Role of requests without credentials: `none`, `viewer` or `oncall`. Nil: `oncall` on a
        /// loopback listener, `none` otherwise (anything else is a check error off loopback).
        public var anonymousRole: String?
        /// How long a board sign-in lasts.
        public var sessionHours = 12
        /// bcrypt cost of staff passwords.
        public var passwordCost = 12

        /// True when `host` is a loopback address (127.0.0.0/8, ::1, localhost).
        public var isLoopback: Bool { GatewayConfig.isLoopback(host) }
        /// The anonymous role in force.
        public var effectiveAnonymousRole: String { anonymousRole ?? (isLoopback ? "oncall" : "none") }
        /// The base of links to the board.
        public var boardBaseURL: String {
            if let publicURL { return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL }
            let h = host.contains(":") ? "[\(host)]" : host
            return "http://\(h):\(port)"
        }
    }
    /// One staff notification channel (`notify.channels.<name>`).
    public struct NotifyChannel: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case wecom, dingtalk, webhook, mqtt
        }
        public var name: String
        public var kind: Kind
        /// Webhook address given inline (only for `webhook`; robot URLs carry a key: use url_file).
        public var url: String?
        /// File holding the webhook address (WeCom and DingTalk robot URLs embed their key).
        public var urlFile: String?
        /// DingTalk signing secret, or the webhook's HMAC key.
        public var secretFile: String?
        /// MQTT topic for `mqtt` channels.
        public var topic: String?
    }
    /// Staff notification channels and the groups escalation steps name.
    public struct Notify: Sendable {
        public var channels: [String: NotifyChannel] = [:]
        /// Group name -> channel names. `oncall` always exists (empty: the board only).
        public var groups: [String: [String]] = [:]

        /// Channels of a target group (empty for `oncall` without channels or an unknown group).
        public func channels(ofGroup group: String) -> [NotifyChannel] {
            (groups[group] ?? []).compactMap { channels[$0] }
        }
    }
    public struct Hotline: Sendable {
        public var url: String?
        public var secretFile: String?
        public var timeoutSeconds = 10
        /// Follow-ups (acknowledged, resolved, cancelled) go here; `{id}` is the incident id.
        public var updatesURL: String?
        /// Liveness beacon address.
        public var heartbeatURL: String?
        public var heartbeatSeconds = 60

        /// The follow-up address in force (default `<url>/{id}/updates`).
        public var effectiveUpdatesURL: String? { updatesURL ?? url.map { Self.join($0, "{id}/updates") } }
        /// The heartbeat address in force (default `<url>/heartbeat`).
        public var effectiveHeartbeatURL: String? { heartbeatURL ?? url.map { Self.join($0, "heartbeat") } }

        static func join(_ base: String, _ tail: String) -> String {
            base.hasSuffix("/") ? base + tail : base + "/" + tail
        }
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
    public var notify = Notify()
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

    static func isLoopback(_ host: String) -> Bool {
        host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }

    static func hostName() -> String {
        let h = ProcessInfo.processInfo.hostName
        return h.isEmpty ? "anxin" : h
    }
}
