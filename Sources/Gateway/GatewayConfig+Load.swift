import AnxinCore
import Foundation
import Yams

extension GatewayConfig {
    /// Reads and strictly validates a configuration file. Unknown keys, wrong types and bad
    /// values are all reported at once with `path:line`.
    public static func load(path: String) throws(ConfigError) -> GatewayConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError([ConfigProblem(path: path, line: 0, message: "cannot read file")])
        }
        return try parse(text: text, path: path)
    }

    public static func parse(text: String, path: String) throws(ConfigError) -> GatewayConfig {
        let r = YAMLReader(path: path)
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else {
                return GatewayConfig.withSource(path)
            }
            root = n
        } catch let e as YamlError {
            throw ConfigError([ConfigProblem(path: path, line: YAMLReader.line(of: e), message: "invalid YAML")])
        } catch {
            throw ConfigError([ConfigProblem(path: path, line: 0, message: "invalid YAML")])
        }
        var c = GatewayConfig.withSource(path)
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") || base.isEmpty ? p : base + "/" + p
        }
        r.mapping(
            root,
            allowed: [
                "gateway_id", "timezone", "mqtt", "storage", "profiles", "registry", "rules", "http",
                "hotline", "notify", "handoff_capacity",
            ]
        ) { key, v in
            switch key {
            case "gateway_id": if let s = r.string(v) { c.gatewayID = s }
            case "timezone":
                if let s = r.string(v) {
                    if let tz = TimeZone(identifier: s) {
                        c.timezone = s
                        c.utcOffsetSeconds = tz.secondsFromGMT()
                    } else {
                        r.problem(v, "unknown time zone '\(s)'")
                    }
                }
            case "handoff_capacity": if let i = r.int(v, in: 16...1_000_000) { c.handoffCapacity = i }
            case "profiles":
                if let list = r.stringList(v) { c.profiles = list.map(resolve) }
            case "registry": if let s = r.string(v) { c.registry = resolve(s) }
            case "rules": if let s = r.string(v) { c.rules = resolve(s) }
            case "mqtt":
                r.mapping(
                    v,
                    allowed: [
                        "host", "port", "client_id", "username", "password_file", "tls", "max_payload", "qos",
                        "receive_maximum", "keepalive",
                    ]
                ) { k, v in
                    switch k {
                    case "host": if let s = r.string(v) { c.mqtt.host = s }
                    case "port": if let i = r.int(v, in: 1...65535) { c.mqtt.port = i }
                    case "client_id": if let s = r.string(v) { c.mqtt.clientID = s }
                    case "username": if let s = r.string(v) { c.mqtt.username = s }
                    case "password_file": if let s = r.string(v) { c.mqtt.passwordFile = resolve(s) }
                    case "max_payload": if let i = r.int(v, in: 64...268_435_455) { c.mqtt.maxPayload = i }
                    case "qos": if let i = r.int(v, in: 0...1) { c.mqtt.qos = Int32(i) }
                    case "receive_maximum": if let i = r.int(v, in: 1...65535) { c.mqtt.receiveMaximum = UInt16(i) }
                    case "keepalive": if let i = r.int(v, in: 5...3600) { c.mqtt.keepAliveSeconds = i }
                    case "tls":
                        var t = TLS()
                        r.mapping(v, allowed: ["ca_file", "cert_file", "key_file"]) { k, v in
                            let s = r.string(v).map(resolve)
                            switch k {
                            case "ca_file": t.caFile = s
                            case "cert_file": t.certFile = s
                            default: t.keyFile = s
                            }
                        }
                        if (t.certFile == nil) != (t.keyFile == nil) {
                            r.problem(v, "cert_file and key_file go together")
                        }
                        c.mqtt.tls = t
                    default: break
                    }
                }
            case "storage":
                r.mapping(
                    v,
                    allowed: [
                        "path", "batch_interval_ms", "retention_days", "max_size_mb", "device_readings_per_second",
                    ]
                ) { k, v in
                    switch k {
                    case "path": if let s = r.string(v) { c.storage.path = resolve(s) }
                    case "retention_days": if let i = r.int(v, in: 0...36_500) { c.storage.retentionDays = i }
                    case "max_size_mb": if let i = r.int(v, in: 0...16_000_000) { c.storage.maxSizeMB = i }
                    case "device_readings_per_second":
                        if let i = r.int(v, in: 0...1_000_000) { c.storage.deviceReadingsPerSecond = i }
                    default: if let i = r.int(v, in: 1...100) { c.storage.batchIntervalMs = i }
                    }
                }
            case "http": parseHTTP(v, r, &c)
            case "hotline": parseHotline(v, r, &c, resolve)
            case "notify": parseNotify(v, r, &c, resolve)
            default: break
            }
        }
        if !r.problems.isEmpty { throw ConfigError(r.problems) }
        return c
    }

    static func withSource(_ path: String) -> GatewayConfig {
        var c = GatewayConfig()
        c.sourcePath = path
        return c
    }

    /// `127.0.0.1:8349`, `[::1]:8349`, `0.0.0.0:8349`.
    static func parseListen(_ s: String) -> (String, Int)? {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            let host = String(s[s.index(after: s.startIndex)..<close])
            let rest = s[s.index(after: close)...]
            guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()), (0...65535).contains(p) else { return nil }
            return (host, p)
        }
        guard let colon = s.lastIndex(of: ":"), let p = Int(s[s.index(after: colon)...]),
            (0...65535).contains(p), colon != s.startIndex
        else { return nil }
        return (String(s[..<colon]), p)
    }
}
