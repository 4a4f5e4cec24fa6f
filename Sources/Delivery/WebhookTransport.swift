import AnxinCore
import AsyncHTTPClient

/// A generic JSON webhook channel: POSTs the stored ``WebhookNoticeBody`` with
/// `Idempotency-Key` (the row id) and, with a secret, `X-Anxin-Signature: sha256=<hex>` like
/// the hotline. Answers are classified like the hotline's: 2xx and 409 taken, 408/429/5xx
/// and transport errors retried, any other status refused.
public struct WebhookTransport: DeliveryTransport {
    let url: String
    let secret: [UInt8]?
    let exchange: HTTPExchange
    public let maxConcurrent: Int

    public init(
        url: String, secret: [UInt8]?, timeout: Duration = .seconds(10), maxConcurrent: Int = 1,
        httpClient: HTTPClient? = nil, clock: any WallClock = SystemWallClock()
    ) {
        self.url = url
        self.secret = secret
        self.maxConcurrent = max(1, maxConcurrent)
        self.exchange = HTTPExchange(client: httpClient ?? .shared, timeout: timeout, clock: clock)
    }

    public func deliver(_ item: PendingDelivery) async -> DeliveryResult {
        switch await exchange.post(
            url: url, headers: HotlineTransport.headers(for: item, secret: secret), body: item.body)
        {
        case .success(let answer):
            return HotlineAnswer(status: answer.status, retryAfterMs: answer.retryAfterMs, body: answer.body)
                .result(status: answer.status, body: answer.body)
        case .failure(let failure):
            return DeliveryResult(.retry(afterMs: nil), reason: failure.reason)
        }
    }
}
