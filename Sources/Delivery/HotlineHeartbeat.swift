import AnxinCore
import AsyncHTTPClient
import Logging
import ServiceLifecycle
import Synchronization

/// Tells the hotline every minute that this gateway is alive, so the hotline can notice a dead
/// one: POST `hotline.heartbeat_url` with a ``HeartbeatReport``, signed like incidents.
///
/// Best effort: a failed heartbeat is not queued or retried (the next one follows anyway), and
/// only a change between reaching and not reaching the hotline is logged, not every failure.
/// The first heartbeat goes out at start.
public final class HotlineHeartbeat: Service, Sendable {
    let url: String
    let gatewayID: String
    let secret: [UInt8]?
    let interval: Duration
    let utcOffsetSeconds: Int
    let clock: any WallClock
    let logger: Logger
    let exchange: HTTPExchange
    let report: @Sendable () async -> HeartbeatReport
    /// Whether the last heartbeat was taken; nil before the first.
    let reaching = Mutex<Bool?>(nil)

    /// - Parameters:
    ///   - url: `hotline.heartbeat_url` (default ``HotlineSettings/defaultHeartbeatURL``).
    ///   - secret: with it each heartbeat carries `X-Anxin-Signature`.
    ///   - interval: time between heartbeats (60 s).
    ///   - timeout: longest wait for one answer.
    ///   - report: the gateway's state, read before each heartbeat.
    public init(
        url: String, gatewayID: String, secret: [UInt8]?, interval: Duration = .seconds(60),
        timeout: Duration = .seconds(10), utcOffsetSeconds: Int = 28800, clock: any WallClock, logger: Logger,
        httpClient: HTTPClient? = nil, report: @escaping @Sendable () async -> HeartbeatReport
    ) {
        self.url = url
        self.gatewayID = gatewayID
        self.secret = secret
        self.interval = interval
        self.utcOffsetSeconds = utcOffsetSeconds
        self.clock = clock
        self.logger = logger
        self.exchange = HTTPExchange(client: httpClient ?? .shared, timeout: timeout, clock: clock)
        self.report = report
    }

    /// Beats until graceful shutdown (or cancellation).
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.beat()
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// Sends one heartbeat; true when the hotline took it (2xx).
    @discardableResult
    public func beat() async -> Bool {
        let body = await report().render(gatewayID: gatewayID, at: clock.now(), utcOffsetSeconds: utcOffsetSeconds)
        var headers: [(String, String)] = []
        if let secret { headers.append((HotlineSignature.header, HotlineSignature.sign(body: body, secret: secret))) }
        let reason: String?
        switch await exchange.post(url: url, headers: headers, body: body) {
        case .success(let answer): reason = (200..<300).contains(answer.status) ? nil : "HTTP \(answer.status)"
        case .failure(let failure): reason = failure.reason
        }
        if Task.isCancelled { return reason == nil }
        let before = reaching.withLock { state -> Bool? in
            defer { state = reason == nil }
            return state
        }
        if let reason, before != false {
            logger.warning(
                "hotline heartbeat failed; logged again only once it recovers", metadata: ["reason": "\(reason)"])
        } else if reason == nil, before == false {
            logger.notice("hotline heartbeat reaches the hotline again")
        }
        return reason == nil
    }
}
