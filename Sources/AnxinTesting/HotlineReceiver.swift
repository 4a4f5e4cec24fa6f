import AnxinCore
import Crypto
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A real HTTP server standing in for the 12349 hotline, for tests and the demo; also a
/// recording receiver for staff channels (WeCom, DingTalk, webhooks).
///
/// It listens on loopback (port 0 picks a free port), records every request on any path with
/// its query, headers, body bytes and arrival time, checks `X-Anxin-Signature` against
/// `secret`, and answers from a script (e.g. 503, 503, then 200 with a ticket), falling back
/// to `defaultReply`. A path may have its own script and default (``script(path:_:)``,
/// ``setDefaultReply(_:path:)``), used before the shared ones. With
/// `dedupe` on it answers 409 to an `Idempotency-Key` it already accepted (repeating the first
/// answer's body, so the ticket), like the real hotline.
///
/// ```swift
/// let hotline = HotlineReceiver(secret: key, dedupe: true)
/// hotline.script([.status(503), .status(503), .accepted(ticket: "T-1")])
/// let port = try await hotline.start()
/// // … point the gateway at hotline.url …
/// let requests = try await hotline.waitFor(count: 3)
/// await hotline.stop()
/// ```
public final class HotlineReceiver: Sendable {
    /// One scripted answer.
    public struct Reply: Sendable, Hashable {
        public var status: Int
        /// Response body (UTF-8); empty for none.
        public var body: String
        /// Extra response headers, e.g. `["Retry-After": "7"]`.
        public var headers: [String: String]
        /// Wait this long before answering (the request is recorded on arrival).
        public var delay: Duration

        public init(status: Int, body: String = "", headers: [String: String] = [:], delay: Duration = .zero) {
            self.status = status
            self.body = body
            self.headers = headers
            self.delay = delay
        }

        /// 200, with `{"ticket": "…"}` when a ticket is given.
        public static func accepted(ticket: String? = nil, delay: Duration = .zero) -> Reply {
            Reply(status: 200, body: ticket.map { "{\"ticket\":\"\($0)\"}" } ?? "", delay: delay)
        }

        /// A JSON answer, e.g. `.json(#"{"errcode":0,"errmsg":"ok"}"#)`.
        public static func json(_ body: String, status: Int = 200, delay: Duration = .zero) -> Reply {
            Reply(status: status, body: body, delay: delay)
        }

        /// A bare status, e.g. `.status(503)`.
        public static func status(_ code: Int, delay: Duration = .zero) -> Reply {
            Reply(status: code, delay: delay)
        }

        /// 429 with `Retry-After: <seconds>`.
        public static func tooManyRequests(retryAfterSeconds: Int) -> Reply {
            Reply(status: 429, headers: ["Retry-After": String(retryAfterSeconds)])
        }
    }

    /// One request as it arrived.
    public struct Request: Sendable, Hashable {
        public var method: String
        public var path: String
        /// The raw query string (after `?`, still percent-encoded); nil when the URL had none.
        public var query: String?
        /// Header fields in arrival order, names as sent.
        public var headers: [Header]
        public var body: [UInt8]
        /// Receiver clock time when the request head and body had arrived.
        public var arrivedAt: EpochMillis
        /// Whether `X-Anxin-Signature` matched the body; nil when the receiver has no secret.
        public var signatureValid: Bool?
        /// The status this request was answered with.
        public var answeredStatus: Int

        /// The first value of a header, names compared case-insensitively.
        public func header(_ name: String) -> String? {
            let lower = name.lowercased()
            return headers.first { $0.name.lowercased() == lower }?.value
        }

        /// The body as UTF-8 text.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }

        /// The raw (still percent-encoded) value of a query parameter.
        public func queryValue(_ name: String) -> String? {
            guard let query else { return nil }
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.first.map(String.init) == name { return parts.count > 1 ? String(parts[1]) : "" }
            }
            return nil
        }
    }

    /// A header field.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// `waitFor` gave up.
    public struct Timeout: Error, CustomStringConvertible {
        public var expected: Int
        public var received: Int
        public var description: String { "hotline receiver: expected \(expected) requests, got \(received)" }
    }

    /// `start` failed to bind or was called twice.
    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    struct State {
        var script: [Reply] = []
        var defaultReply: Reply
        var pathScripts: [String: [Reply]] = [:]
        var pathDefaults: [String: Reply] = [:]
        var requests: [Request] = []
        /// Body of the 2xx answer, by accepted `Idempotency-Key`.
        var accepted: [String: String] = [:]
        var port: Int?
        var host = "127.0.0.1"
        var server: Task<Void, Never>?
        var group: ServiceGroup?
        var open = 0
        var maxOpen = 0
        var starting: CheckedContinuation<Int, any Error>?
    }

    private let secret: [UInt8]?
    private let dedupe: Bool
    private let rejectInvalidSignatures: Bool
    private let clock: any WallClock
    let state: Mutex<State>

    /// - Parameters:
    ///   - secret: HMAC key to verify `X-Anxin-Signature` with; nil to skip verification.
    ///   - dedupe: answer 409 (with the first answer's body) for an `Idempotency-Key` already
    ///     accepted with a 2xx, as the hotline does.
    ///   - rejectInvalidSignatures: answer 401 when the signature is missing or wrong (needs `secret`).
    ///   - defaultReply: the answer once the script is used up.
    ///   - clock: stamps `arrivedAt`.
    public init(
        secret: [UInt8]? = nil, dedupe: Bool = false, rejectInvalidSignatures: Bool = false,
        defaultReply: Reply = .accepted(), clock: any WallClock = SystemWallClock()
    ) {
        self.secret = secret
        self.dedupe = dedupe
        self.rejectInvalidSignatures = rejectInvalidSignatures
        self.clock = clock
        self.state = Mutex(State(defaultReply: defaultReply))
    }

    /// Queues answers for the next requests, in order (appended to any still queued).
    public func script(_ replies: [Reply]) {
        state.withLock { $0.script += replies }
    }

    /// Changes the answer used once the script is used up.
    public func setDefaultReply(_ reply: Reply) {
        state.withLock { $0.defaultReply = reply }
    }

    /// Every request so far, in arrival order.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// The most requests that were being answered at the same time.
    public var maxConcurrentRequests: Int { state.withLock { $0.maxOpen } }

    /// The bound port, once started.
    public var port: Int? { state.withLock { $0.port } }

    /// `http://HOST:PORT/api/incidents` once started (any path is answered the same way).
    public var url: String {
        state.withLock { s in "http://\(s.host):\(s.port ?? 0)/api/incidents" }
    }

    /// Waits until at least `count` requests have arrived; returns all of them.
    @discardableResult
    public func waitFor(count: Int, timeout: Duration = .seconds(10)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let seen = requests
            if seen.count >= count { return seen }
            if ContinuousClock.now >= deadline { throw Timeout(expected: count, received: seen.count) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Starts listening; returns the bound port (the real one when `port` is 0).
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        var logger = Logger(label: "anxin.hotline-receiver")
        logger.logLevel = .warning
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await self.answer(request)
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                self.started(port: channel.localAddress?.port)
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withCheckedThrowingContinuation { continuation in
            let already = state.withLock { s -> Bool in
                guard s.server == nil, s.starting == nil else { return true }
                s.host = host
                s.starting = continuation
                s.group = group
                return false
            }
            if already {
                continuation.resume(throwing: StartFailure(description: "hotline receiver already started"))
                return
            }
            let server = Task {
                do {
                    try await group.run()
                    self.failStart("hotline receiver stopped before listening")
                } catch {
                    self.failStart("hotline receiver could not listen on \(host):\(port): \(error)")
                }
            }
            state.withLock { $0.server = server }
        }
    }

    /// Stops listening gracefully (answers in progress are finished) and waits until it is down.
    public func stop() async {
        let (server, group) = state.withLock { s -> (Task<Void, Never>?, ServiceGroup?) in
            defer {
                s.server = nil
                s.group = nil
                s.port = nil
            }
            return (s.server, s.group)
        }
        await group?.triggerGracefulShutdown()
        await server?.value
    }

    private func started(port: Int?) {
        let waiting = state.withLock { s -> CheckedContinuation<Int, any Error>? in
            s.port = port
            defer { s.starting = nil }
            return s.starting
        }
        if let port {
            waiting?.resume(returning: port)
        } else {
            waiting?.resume(throwing: StartFailure(description: "hotline receiver has no local port"))
        }
    }

    private func failStart(_ reason: String) {
        let waiting = state.withLock { s -> CheckedContinuation<Int, any Error>? in
            defer { s.starting = nil }
            return s.starting
        }
        waiting?.resume(throwing: StartFailure(description: reason))
    }

    private func answer(_ incoming: Hummingbird.Request) async throws -> Response {
        var request = incoming
        let buffer = try await request.collectBody(upTo: 4 << 20)
        let body = Array(buffer.readableBytesView)
        let headers = request.headers.map { Header(name: $0.name.rawName, value: $0.value) }
        let signature = request.headers[HTTPField.Name("X-Anxin-Signature")!]
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        let valid = secret.map { Self.verify(signature: signature, body: body, secret: $0) }
        let arrivedAt = clock.now()

        let reply = state.withLock { s -> Reply in
            let reply: Reply
            if rejectInvalidSignatures, valid == false {
                reply = Reply(status: 401, body: "{\"error\":\"bad signature\"}")
            } else if dedupe, let key, let original = s.accepted[key] {
                reply = Reply(status: 409, body: original)
            } else if var queued = s.pathScripts[request.uri.path], !queued.isEmpty {
                reply = queued.removeFirst()
                s.pathScripts[request.uri.path] = queued
            } else if let pathDefault = s.pathDefaults[request.uri.path] {
                reply = pathDefault
            } else if !s.script.isEmpty {
                reply = s.script.removeFirst()
            } else {
                reply = s.defaultReply
            }
            if let key, (200..<300).contains(reply.status), s.accepted[key] == nil {
                s.accepted[key] = reply.body
            }
            s.open += 1
            s.maxOpen = max(s.maxOpen, s.open)
            s.requests.append(
                Request(
                    method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                    headers: headers, body: body,
                    arrivedAt: arrivedAt, signatureValid: valid, answeredStatus: reply.status))
            return reply
        }
        defer { state.withLock { $0.open -= 1 } }
        if reply.delay > .zero { try await Task.sleep(for: reply.delay) }

        var fields = HTTPFields()
        if !reply.body.isEmpty { fields[.contentType] = "application/json; charset=utf-8" }
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(
            status: .init(code: reply.status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(string: reply.body)))
    }

    /// Independent check of `sha256=<hex HMAC-SHA256(body)>`.
    static func verify(signature: String?, body: [UInt8], secret: [UInt8]) -> Bool {
        guard let signature, signature.hasPrefix("sha256=") else { return false }
        let hex = Array(signature.utf8.dropFirst(7))
        guard hex.count == 64 else { return false }
        var mac: [UInt8] = []
        mac.reserveCapacity(32)
        var i = 0
        while i < hex.count {
            guard let hi = nibble(hex[i]), let lo = nibble(hex[i + 1]) else { return false }
            mac.append(hi << 4 | lo)
            i += 2
        }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: secret))
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil  // the SPEC asks for lowercase hex
        }
    }
}
