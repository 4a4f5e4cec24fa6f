import AnxinCore
import AsyncHTTPClient

/// The `hotline` channel: incidents POSTed to `hotline.url`, follow-ups to
/// `hotline.updates_url`, each with `Idempotency-Key` (the row id) and, with a secret,
/// `X-Anxin-Signature` over the stored body bytes (SPEC section 7).
public struct HotlineTransport: DeliveryTransport {
    public let settings: HotlineSettings
    let exchange: HTTPExchange

    /// - Parameters:
    ///   - settings: URL, secret, timeout and ``HotlineSettings/maxConcurrent``.
    ///   - httpClient: defaults to `HTTPClient.shared`; an injected client is not shut down here.
    ///   - clock: reads `Retry-After` dates.
    public init(settings: HotlineSettings, httpClient: HTTPClient? = nil, clock: any WallClock = SystemWallClock()) {
        self.settings = settings
        self.exchange = HTTPExchange(client: httpClient ?? .shared, timeout: settings.timeout, clock: clock)
    }

    public var maxConcurrent: Int { settings.maxConcurrent }

    public func deliver(_ item: PendingDelivery) async -> DeliveryResult {
        let url = item.kind == .update ? settings.updatesURL(incidentID: item.incidentID) : settings.url
        switch await exchange.post(url: url, headers: Self.headers(for: item, secret: settings.secret), body: item.body)
        {
        case .success(let answer):
            return HotlineAnswer(status: answer.status, retryAfterMs: answer.retryAfterMs, body: answer.body)
                .result(status: answer.status, body: answer.body)
        case .failure(let failure):
            return DeliveryResult(.retry(afterMs: nil), reason: failure.reason)
        }
    }

    /// `Idempotency-Key` and, with a secret, `X-Anxin-Signature`.
    static func headers(for item: PendingDelivery, secret: [UInt8]?) -> [(String, String)] {
        var headers = [("Idempotency-Key", item.id)]
        if let secret {
            headers.append((HotlineSignature.header, HotlineSignature.sign(body: item.body, secret: secret)))
        }
        return headers
    }
}
