import AnxinCore
import AsyncHTTPClient

/// A DingTalk (钉钉) custom-robot channel: POSTs the stored ``DingTalkMessage`` body to the
/// webhook URL, signed afresh for every attempt when a secret is set (``DingTalkSignature``:
/// the robot refuses a timestamp more than an hour off).
public struct DingTalkTransport: DeliveryTransport {
    let url: String
    let secret: String?
    let clock: any WallClock
    let exchange: HTTPExchange
    public let maxConcurrent: Int

    /// - Parameters:
    ///   - url: the webhook URL, `https://oapi.dingtalk.com/robot/send?access_token=…`.
    ///   - secret: the `SEC…` secret of signed mode; nil for a keyword- or IP-secured robot.
    ///   - timeout: longest wait for one answer; a timeout is retried.
    ///   - clock: the signature's timestamp.
    public init(
        url: String, secret: String?, timeout: Duration = .seconds(10), maxConcurrent: Int = 1,
        httpClient: HTTPClient? = nil, clock: any WallClock = SystemWallClock()
    ) {
        self.url = url
        self.secret = secret
        self.clock = clock
        self.maxConcurrent = max(1, maxConcurrent)
        self.exchange = HTTPExchange(client: httpClient ?? .shared, timeout: timeout, clock: clock)
    }

    public func deliver(_ item: PendingDelivery) async -> DeliveryResult {
        let target = secret.map { DingTalkSignature.signedURL(url, timestamp: clock.now(), secret: $0) } ?? url
        switch await exchange.post(url: target, headers: [], body: item.body) {
        case .success(let answer):
            return RobotAnswer.dingtalk.result(
                status: answer.status, retryAfterMs: answer.retryAfterMs, body: answer.body)
        case .failure(let failure):
            return DeliveryResult(.retry(afterMs: nil), reason: failure.reason)
        }
    }
}
