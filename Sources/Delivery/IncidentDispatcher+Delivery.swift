import AnxinCore
import AsyncHTTPClient
import Logging

extension IncidentDispatcher {
    /// Largest answer body read (for the ticket); the rest is ignored.
    static let maxAnswerBytes = 64 * 1024

    /// One attempt: POST, classify the answer, record it in the outbox.
    func deliver(
        _ incident: PendingIncident, settings: HotlineSettings, schedule: RetrySchedule, client: HTTPClient
    ) async {
        var log = logger
        log[metadataKey: "incident"] = "\(incident.id)"
        log[metadataKey: "alert"] = "\(incident.alertID)"
        log[metadataKey: "attempt"] = "\(incident.attempts + 1)"

        let answer: HotlineAnswer
        var status: Int?
        var failure: String?
        do {
            let request = Self.request(for: incident, settings: settings)
            let response = try await client.execute(
                request, timeout: .milliseconds(max(1, settings.timeout.wholeMilliseconds)))
            status = Int(response.status.code)
            let retryAfter = RetrySchedule.retryAfter(response.headers.first(name: "Retry-After"), now: clock.now())
            let body =
                (try? await response.body.collect(upTo: Self.maxAnswerBytes)).map {
                    Array($0.readableBytesView)
                } ?? []
            answer = HotlineAnswer(status: Int(response.status.code), retryAfterMs: retryAfter, body: body)
        } catch {
            // Forced shutdown: record nothing; the incident stays due for the next start.
            if Task.isCancelled { return }
            failure = Self.describe(error)
            answer = .retry(retryAfterMs: nil)
        }

        let now = clock.now()
        do {
            switch answer {
            case .accepted(let ticket), .duplicate(let ticket):
                try await outbox.markDelivered(id: incident.id, status: status ?? 0, ticket: ticket, at: now)
                log.info("incident delivered", metadata: ["status": "\(status ?? 0)"])
            case .retry(let retryAfterMs):
                let next = schedule.nextAttempt(
                    now: now, failures: incident.attempts + 1, retryAfterMs: retryAfterMs, random: random())
                let reason = failure ?? "HTTP \(status ?? 0)"
                try await outbox.markRetry(id: incident.id, status: status, error: reason, nextAttemptAt: next)
                log.warning(
                    "incident delivery failed, will retry",
                    metadata: ["reason": "\(reason)", "retry_in_ms": "\(next - now)"])
            case .rejected:
                try await outbox.markRejected(
                    id: incident.id, status: status ?? 0, error: "HTTP \(status ?? 0)", at: now)
                log.error(
                    "incident rejected by the hotline; kept until an operator requeues it",
                    metadata: ["status": "\(status ?? 0)"])
            }
        } catch {
            // Not recorded: keep the slot a moment so a broken outbox does not cause a resend storm.
            log.error("recording the delivery attempt failed", metadata: ["error": "\(type(of: error))"])
            try? await Task.sleep(for: settings.backoffBase)
            return
        }
        onOutcome(answer.outcome, incident)
    }

    static func request(for incident: PendingIncident, settings: HotlineSettings) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "Idempotency-Key", value: incident.id)
        if let secret = settings.secret {
            request.headers.add(
                name: HotlineSignature.header, value: HotlineSignature.sign(body: incident.body, secret: secret))
        }
        request.body = .bytes(incident.body)
        return request
    }

    /// The error's type and case, short; never a payload.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) : text
    }
}
