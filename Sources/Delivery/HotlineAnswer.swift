import Foundation

/// How the dispatcher treats one answer from the hotline, or from a generic webhook
/// (SPEC section 7): 2xx and 409 taken, 408/429/5xx retried, any other status refused.
enum HotlineAnswer: Sendable, Equatable {
    /// 2xx; the hotline's ticket when its JSON body carried one.
    case accepted(ticket: String?)
    /// 409: the hotline already has this id.
    case duplicate(ticket: String?)
    /// 408, 429, 5xx: try again, not before `retryAfterMs` when given.
    case retry(retryAfterMs: Int64?)
    /// Any other status: kept, never retried on its own.
    case rejected

    init(status: Int, retryAfterMs: Int64?, body: [UInt8]) {
        switch status {
        case 200..<300: self = .accepted(ticket: Self.ticket(in: body))
        case 409: self = .duplicate(ticket: Self.ticket(in: body))
        case 408, 429, 500..<600: self = .retry(retryAfterMs: retryAfterMs)
        default: self = .rejected
        }
    }

    var outcome: DeliveryOutcome {
        switch self {
        case .accepted: .accepted
        case .duplicate: .duplicate
        case .retry: .retry
        case .rejected: .rejected
        }
    }

    /// The attempt's result: the verdict, the HTTP status, and for a taken one the ticket and
    /// the hotline's status word from `body`.
    func result(status: Int, body: [UInt8]) -> DeliveryResult {
        switch self {
        case .accepted(let ticket):
            DeliveryResult(.accepted, status: status, ticket: ticket, hotlineStatus: Self.reply(in: body)?.status)
        case .duplicate(let ticket):
            DeliveryResult(.duplicate, status: status, ticket: ticket, hotlineStatus: Self.reply(in: body)?.status)
        case .retry(let ms): DeliveryResult(.retry(afterMs: ms), status: status)
        case .rejected: DeliveryResult(.rejected, status: status)
        }
    }

    private struct Reply: Decodable {
        var ticket: String?
        var status: String?
    }

    /// `{"ticket": "…", "status": "…"}` in the answer body, if the body is such JSON. Once per
    /// delivery, not per message, so JSONDecoder is fine here.
    private static func reply(in body: [UInt8]) -> Reply? {
        guard !body.isEmpty, let reply = try? JSONDecoder().decode(Reply.self, from: Data(body)) else { return nil }
        return Reply(
            ticket: reply.ticket.flatMap { $0.isEmpty ? nil : $0 },
            status: reply.status.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// `{"ticket": "…"}` in the answer body; nil when absent, empty or not such JSON.
    static func ticket(in body: [UInt8]) -> String? { reply(in: body)?.ticket }
}
