import AnxinCore
import Foundation
import Yams

/// The `http`, `hotline` and `notify` sections: everything that reaches people.
extension GatewayConfig {
    static let roles = ["none", "viewer", "oncall"]

    static func parseHTTP(_ v: Node, _ r: YAMLReader, _ c: inout GatewayConfig) {
        r.mapping(v, allowed: ["listen", "public_url", "anonymous_role", "session_hours", "password_cost"]) { k, v in
            switch k {
            case "listen":
                guard let s = r.string(v) else { return }
                if let (h, p) = parseListen(s) {
                    c.http.host = h
                    c.http.port = p
                } else {
                    r.problem(v, "listen must be HOST:PORT (IPv6 as [::1]:PORT)")
                }
            case "public_url": if let s = httpURL(v, r) { c.http.publicURL = s }
            case "anonymous_role":
                guard let s = r.string(v) else { return }
                if roles.contains(s) {
                    c.http.anonymousRole = s
                } else {
                    r.problem(v, "anonymous_role must be none, viewer or oncall")
                }
            case "session_hours": if let i = r.int(v, in: 1...720) { c.http.sessionHours = i }
            default: if let i = r.int(v, in: 4...16) { c.http.passwordCost = i }
            }
        }
        if !c.http.isLoopback, c.http.effectiveAnonymousRole != "none" {
            r.problem(v, "anonymous_role must be none when listen is not a loopback address")
        }
    }

    static func parseHotline(
        _ v: Node, _ r: YAMLReader, _ c: inout GatewayConfig, _ resolve: (String) -> String
    ) {
        r.mapping(
            v, allowed: ["url", "secret_file", "timeout_seconds", "updates_url", "heartbeat_url", "heartbeat_seconds"]
        ) { k, v in
            switch k {
            case "url": if let s = httpURL(v, r) { c.hotline.url = s }
            case "updates_url":
                if let s = httpURL(v, r) {
                    if s.contains("{id}") {
                        c.hotline.updatesURL = s
                    } else {
                        r.problem(v, "updates_url must contain {id} (the incident id)")
                    }
                }
            case "heartbeat_url": if let s = httpURL(v, r) { c.hotline.heartbeatURL = s }
            case "heartbeat_seconds": if let i = r.int(v, in: 10...3600) { c.hotline.heartbeatSeconds = i }
            case "secret_file": if let s = r.string(v) { c.hotline.secretFile = resolve(s) }
            default: if let i = r.int(v, in: 1...300) { c.hotline.timeoutSeconds = i }
            }
        }
    }

    static func parseNotify(
        _ v: Node, _ r: YAMLReader, _ c: inout GatewayConfig, _ resolve: (String) -> String
    ) {
        var groupNodes: [(String, Node, [String])] = []
        r.mapping(v, allowed: ["channels", "groups"]) { k, v in
            if k == "channels" {
                r.mapping(v, allowed: nil) { name, v in
                    if let ch = parseChannel(name, v, r, resolve) { c.notify.channels[name] = ch }
                }
            } else {
                r.mapping(v, allowed: nil) { name, v in
                    guard validName(name) else {
                        r.problem(v, "group name '\(name)' must be letters, digits, _ or -")
                        return
                    }
                    if name == "hotline" { r.problem(v, "'hotline' is the 12349 hotline, not a group") }
                    if let list = r.stringList(v) { groupNodes.append((name, v, list)) }
                }
            }
        }
        for (name, node, list) in groupNodes {
            for ch in list where c.notify.channels[ch] == nil {
                r.problem(node, "group \(name): no channel named '\(ch)' under notify.channels")
            }
            c.notify.groups[name] = list
        }
    }

    private static func parseChannel(
        _ name: String, _ v: Node, _ r: YAMLReader, _ resolve: (String) -> String
    ) -> NotifyChannel? {
        guard validName(name) else {
            r.problem(v, "channel name '\(name)' must be letters, digits, _ or -")
            return nil
        }
        var kind: NotifyChannel.Kind?
        var ch = NotifyChannel(name: name, kind: .webhook)
        r.mapping(v, allowed: ["type", "url", "url_file", "secret_file", "topic"]) { k, v in
            switch k {
            case "type":
                guard let s = r.string(v) else { return }
                if let t = NotifyChannel.Kind(rawValue: s) {
                    kind = t
                } else {
                    r.problem(v, "channel \(name): type must be wecom, dingtalk, webhook or mqtt")
                }
            case "url": ch.url = httpURL(v, r)
            case "url_file": ch.urlFile = r.string(v).map(resolve)
            case "secret_file": ch.secretFile = r.string(v).map(resolve)
            default:
                guard let s = r.string(v) else { return }
                if s.isEmpty || s.contains("+") || s.contains("#") {
                    r.problem(v, "channel \(name): topic must be a plain topic (no wildcards)")
                } else {
                    ch.topic = s
                }
            }
        }
        guard let kind else {
            r.problem(v, "channel \(name): type is required (wecom, dingtalk, webhook or mqtt)")
            return nil
        }
        ch.kind = kind
        switch kind {
        case .mqtt:
            if ch.topic == nil { r.problem(v, "channel \(name): an mqtt channel needs topic") }
        case .wecom, .dingtalk:
            if ch.url != nil {
                r.problem(v, "channel \(name): a robot webhook URL holds its key: give it as url_file, not url")
            }
            if ch.urlFile == nil { r.problem(v, "channel \(name): url_file is required") }
        case .webhook:
            if (ch.url == nil) == (ch.urlFile == nil) {
                r.problem(v, "channel \(name): give exactly one of url and url_file")
            }
        }
        return ch
    }

    private static func httpURL(_ v: Node, _ r: YAMLReader) -> String? {
        guard let s = r.string(v) else { return nil }
        if let u = URL(string: s.replacingOccurrences(of: "{id}", with: "x")), let sch = u.scheme,
            ["http", "https"].contains(sch), u.host != nil
        {
            return s
        }
        r.problem(v, "must be an http:// or https:// address")
        return nil
    }

    private static func validName(_ s: String) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D
                    || ($0 >= 0x41 && $0 <= 0x5A)
            }
    }
}
