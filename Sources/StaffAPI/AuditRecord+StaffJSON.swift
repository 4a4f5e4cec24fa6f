import Store

extension AuditRecord {
    /// `{"id", "at", "actor", "role", "action", "target", "note", "outcome"}` (`id` pages with `before`).
    public var staffJSONText: String {
        var o = JSONObjectText()
        o.raw("id", String(id))
        o.time("at", at)
        o.string("actor", actor)
        o.string("role", role)
        o.string("action", action)
        o.string("target", target)
        o.string("note", note)
        o.string("outcome", outcome)
        return o.json
    }
}
