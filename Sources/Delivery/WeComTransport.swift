import AnxinCore
import AsyncHTTPClient

/// A WeCom (企业微信) group-robot channel: POSTs each message of a ``WeComMessage`` body to the
/// robot's webhook URL (which carries its key). A critical notice is two messages; when the
/// second fails the whole notice is tried again, so the group may see the first twice.
public struct WeComTransport: DeliveryTransport {
    let url: String
    let exchange: HTTPExchange
    public let maxConcurrent: Int

    /// - Parameters:
    ///   - url: the webhook URL, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.
    ///   - timeout: longest wait for one answer; a timeout is retried.
    ///   - httpClient: defaults to `HTTPClient.shared`.
    public init(
        url: String, timeout: Duration = .seconds(10), maxConcurrent: Int = 1, httpClient: HTTPClient? = nil,
        clock: any WallClock = SystemWallClock()
    ) {
        self.url = url
        self.maxConcurrent = max(1, maxConcurrent)
        self.exchange = HTTPExchange(client: httpClient ?? .shared, timeout: timeout, clock: clock)
    }

    public func deliver(_ item: PendingDelivery) async -> DeliveryResult {
        var last = DeliveryResult(.rejected, reason: "empty notice")
        for message in WeComMessage.messages(in: item.body) {
            switch await exchange.post(url: url, headers: [], body: message) {
            case .success(let answer):
                last = RobotAnswer.wecom.result(
                    status: answer.status, retryAfterMs: answer.retryAfterMs, body: answer.body)
            case .failure(let failure):
                return DeliveryResult(.retry(afterMs: nil), reason: failure.reason)
            }
            if last.verdict != .accepted { return last }
        }
        return last
    }
}
