import AnxinCore
import Logging

extension OutboxDispatcher {
    /// One attempt: hand the row to its channel's transport, record what it ended in.
    func attempt(_ item: PendingDelivery, transport: any DeliveryTransport, schedule: RetrySchedule) async {
        var log = logger
        log[metadataKey: "delivery"] = "\(item.id)"
        log[metadataKey: "alert"] = "\(item.alertID)"
        log[metadataKey: "channel"] = "\(item.channel)"
        log[metadataKey: "kind"] = "\(item.kind.rawValue)"
        log[metadataKey: "attempt"] = "\(item.attempts + 1)"

        let result = await transport.deliver(item)
        // Forced shutdown cut the attempt short: record nothing; the row stays due for the next start.
        if Task.isCancelled, case .retry = result.verdict, result.status == nil { return }

        let now = clock.now()
        do {
            switch result.verdict {
            case .accepted, .duplicate:
                try await outbox.markDelivered(item, result: result, at: now)
                log.info("delivered", metadata: ["status": "\(result.status.map(String.init) ?? "-")"])
                if item.attempts > 0 {
                    // The channel is back after failing: what waits for it goes now, most urgent first,
                    // instead of each row sleeping out its own backoff.
                    let moved = try await outbox.channelRecovered(item.channel, at: now)
                    if moved > 0 {
                        log.info("channel is back; its waiting deliveries go now", metadata: ["waiting": "\(moved)"])
                    }
                }
            case .retry(let afterMs):
                let next = schedule.nextAttempt(
                    now: now, failures: item.attempts + 1, retryAfterMs: afterMs, random: random())
                try await outbox.markRetry(item, result: result, nextAttemptAt: next)
                log.warning(
                    "delivery failed, will retry",
                    metadata: ["reason": "\(result.failureText)", "retry_in_ms": "\(next - now)"])
            case .rejected:
                try await outbox.markRejected(item, result: result, at: now)
                log.error(
                    "delivery refused; kept until an operator requeues it",
                    metadata: ["reason": "\(result.failureText)"])
            }
        } catch {
            // Not recorded: keep the slot a moment so a broken outbox does not cause a resend storm.
            log.error("recording the delivery attempt failed", metadata: ["error": "\(type(of: error))"])
            try? await Task.sleep(for: settings.backoffBase)
            return
        }
        onOutcome(result.outcome, item)
    }

    /// A row whose channel has no transport: kept pending, tried again after the usual backoff.
    func park(_ item: PendingDelivery, schedule: RetrySchedule) async {
        let now = clock.now()
        let next = schedule.nextAttempt(now: now, failures: item.attempts + 1, retryAfterMs: nil, random: random())
        let result = DeliveryResult(.retry(afterMs: nil), reason: "no transport for channel \(item.channel)")
        do {
            try await outbox.markRetry(item, result: result, nextAttemptAt: next)
            logger.warning(
                "no transport for this channel; the delivery waits in the outbox",
                metadata: ["delivery": "\(item.id)", "channel": "\(item.channel)", "retry_in_ms": "\(next - now)"])
        } catch {
            logger.error("recording the delivery attempt failed", metadata: ["error": "\(type(of: error))"])
            try? await Task.sleep(for: settings.backoffBase)
        }
    }
}
