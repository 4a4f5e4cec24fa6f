import Foundation

/// How the dispatcher treats one answer from the hotline (SPEC section 7).
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

    private struct TicketReply: Decodable {
        var ticket: String?
    }

    /// `{"ticket": "…"}` in the answer body, if the body is such JSON. Once per delivery, not
    /// per message, so JSONDecoder is fine here.
    static func ticket(in body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        guard let reply = try? JSONDecoder().decode(TicketReply.self, from: Data(body)) else { return nil }
        guard let t = reply.ticket, !t.isEmpty else { return nil }
        return t
    }
}
