import Foundation
import Hummingbird
import Store

extension StaffRoutes {
    /// `GET /api/v1/silences` → `{"silences": [...]}`, those in force.
    func silences(_ context: StaffRequestContext) async throws -> Response {
        _ = try context.requireRole(.viewer)
        let list = try await source.silences()
        var o = JSONObjectText()
        o.raw("silences", jsonArray(list.map(\.staffJSONText)))
        return .staffJSON(o.json)
    }

    /// `POST /api/v1/silences` with `{"scope", "target", "minutes", "reason"}` (oncall) →
    /// `{"silence": {...}}`; audited. An anonymous caller may add `"by"`.
    func addSilence(_ request: Request, _ context: StaffRequestContext) async throws -> Response {
        var actor = try authorize(context, .oncall, action: "silence", target: nil)
        let fields = try await Self.jsonObject(request)
        let silence = try Self.silenceRequest(fields)
        // Anonymous loopback staff may name themselves, as for acknowledgements.
        if actor.anonymous, case .string(let by)? = fields["by"], !by.trimmingCharacters(in: .whitespaces).isEmpty {
            actor.name = by
        }
        let target = silence.scope.rawValue + ":" + silence.target
        let result = try await source.addSilence(silence, actor: actor)
        switch result {
        case .ok(let record):
            try accounts.audit(
                actor, action: "silence", target: target,
                note: "silence \(record.id), \(silence.minutes) min: \(silence.reason)")
            var o = JSONObjectText()
            o.raw("silence", record.staffJSONText)
            return .staffJSON(o.json)
        case .refused(let why):
            try accounts.audit(actor, action: "silence", target: target, note: why, outcome: "refused")
            throw StaffAPIError.badRequest(why)
        }
    }

    /// `DELETE /api/v1/silences/{id}` (oncall) → 204; 404 when no silence in force has that id; audited.
    func liftSilence(_ context: StaffRequestContext) async throws -> Response {
        let text = try Self.pathParameter(context, "id")
        let actor = try authorize(context, .oncall, action: "unsilence", target: text)
        guard let id = Int64(text), id > 0 else { throw StaffAPIError.notFound("unknown silence") }
        let lifted = try await source.liftSilence(id: id, actor: actor)
        try accounts.audit(actor, action: "unsilence", target: text, outcome: lifted ? "ok" : "not_found")
        guard lifted else { throw StaffAPIError.notFound("unknown silence") }
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    static func silenceRequest(_ fields: [String: JSONTree]) throws -> SilenceRequest {
        guard case .string(let scopeName)? = fields["scope"], let scope = SilenceRecord.Scope(rawValue: scopeName)
        else {
            throw StaffAPIError.badRequest("scope must be resident, device or rule")
        }
        guard case .string(let target)? = fields["target"], !target.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw StaffAPIError.badRequest("\"target\" must name the resident, device or rule")
        }
        guard case .number(let m)? = fields["minutes"], m.rounded() == m, m >= 1, m <= Double(SilenceRequest.maxMinutes)
        else {
            throw StaffAPIError.badRequest("minutes must be a whole number from 1 to \(SilenceRequest.maxMinutes)")
        }
        guard case .string(let reason)? = fields["reason"], !reason.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw StaffAPIError.badRequest("\"reason\" must say why")
        }
        return SilenceRequest(scope: scope, target: target, minutes: Int(m), reason: reason)
    }
}
