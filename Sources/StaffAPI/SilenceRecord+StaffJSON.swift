import Store

extension SilenceRecord {
    /// `{"id", "scope", "target", "reason", "by", "created_at", "ends_at"}`.
    public var staffJSONText: String {
        var o = JSONObjectText()
        o.raw("id", String(id))
        o.string("scope", scope.rawValue)
        o.string("target", target)
        o.string("reason", reason)
        o.string("by", createdBy)
        o.time("created_at", createdAt)
        o.time("ends_at", endsAt)
        return o.json
    }
}
