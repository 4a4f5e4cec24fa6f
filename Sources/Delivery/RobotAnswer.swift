import Foundation

/// How an answer from a WeCom or DingTalk group robot is treated. Both answer HTTP 200 with
/// `{"errcode": 0, "errmsg": "ok"}` when they took the message; a non-zero `errcode` is a
/// failure: the rate limit (20 messages a minute) and "system busy" (-1) are retried with
/// backoff, anything else (bad key, bad signature, keyword missing, …) is refused. A non-2xx
/// status is treated like the hotline's.
struct RobotAnswer: Sendable {
    /// Error codes worth retrying.
    let retryCodes: Set<Int>

    /// WeCom: 45009 `api freq out of limit`, -1 system busy.
    static let wecom = RobotAnswer(retryCodes: [45009, -1])
    /// DingTalk: 130101 `send too fast`, -1 system busy.
    static let dingtalk = RobotAnswer(retryCodes: [130101, -1])

    private struct Reply: Decodable {
        var errcode: Int?
        var errmsg: String?
    }

    func result(status: Int, retryAfterMs: Int64?, body: [UInt8]) -> DeliveryResult {
        guard (200..<300).contains(status) else {
            return HotlineAnswer(status: status, retryAfterMs: retryAfterMs, body: []).result(status: status, body: [])
        }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: Data(body)), let code = reply.errcode, code != 0
        else { return DeliveryResult(.accepted, status: status) }
        let message = (reply.errmsg ?? "").prefix(100)
        let reason = "errcode \(code)" + (message.isEmpty ? "" : " \(message)")
        if retryCodes.contains(code) || message.lowercased().contains("too fast") {
            return DeliveryResult(.retry(afterMs: retryAfterMs), status: status, reason: reason)
        }
        return DeliveryResult(.rejected, status: status, reason: reason)
    }
}
