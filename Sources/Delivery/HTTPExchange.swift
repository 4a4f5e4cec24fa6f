import AnxinCore
import AsyncHTTPClient

/// One JSON POST with a time limit: the part every HTTP transport shares.
struct HTTPExchange: Sendable {
    /// What came back.
    struct Answer: Sendable {
        var status: Int
        /// `Retry-After` as milliseconds from now, when given and readable.
        var retryAfterMs: Int64?
        /// At most ``maxAnswerBytes`` of the body.
        var body: [UInt8]
    }

    /// Largest answer body read (for a ticket or an errcode); the rest is ignored.
    static let maxAnswerBytes = 64 * 1024

    let client: HTTPClient
    let timeout: Duration
    let clock: any WallClock

    /// POSTs `body` with `Content-Type: application/json; charset=utf-8` and `headers`; the
    /// answer, or a short reason when none came (timeout, connection refused, …).
    func post(url: String, headers: [(String, String)], body: [UInt8]) async -> Result<Answer, Failure> {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: .milliseconds(max(1, timeout.wholeMilliseconds)))
            let retryAfter = RetrySchedule.retryAfter(response.headers.first(name: "Retry-After"), now: clock.now())
            let bytes =
                (try? await response.body.collect(upTo: Self.maxAnswerBytes)).map { Array($0.readableBytesView) } ?? []
            return .success(Answer(status: Int(response.status.code), retryAfterMs: retryAfter, body: bytes))
        } catch {
            return .failure(Failure(reason: Self.describe(error)))
        }
    }

    /// No answer came; `reason` names the error's type and case, never a payload.
    struct Failure: Error {
        var reason: String
    }

    /// The error's type and case, short; never a payload.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) : text
    }
}
