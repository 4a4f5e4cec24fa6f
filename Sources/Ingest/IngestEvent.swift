/// Something the gateway should log, count or act on (readiness, silence timers, health).
///
/// Delivered on the ingest's loop thread: the handler must return quickly and never block.
public enum IngestEvent: Sendable, Equatable {
    /// CONNACK accepted. `sessionPresent` means the broker kept our session and its queued messages.
    case connected(sessionPresent: Bool)
    /// Every topic filter has been acknowledged by the broker (SUBACK): messages now flow.
    case subscribed
    /// The connection ended; the ingest reconnects with backoff unless it was stopped.
    case disconnected(reason: String)
    /// A failure worth a log line: refused login, unreachable broker, refused subscription.
    case error(String)
}
