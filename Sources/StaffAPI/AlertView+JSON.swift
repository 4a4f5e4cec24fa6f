import AnxinCore

extension AlertView {
    /// The alert as the API writes it (SPEC section 8), keys in a fixed order:
    /// `id, rule, severity, state, resident, device, trigger, opened_at, updated_at,
    /// acknowledged_at, acknowledged_by, resolved_at, incident, silenced, escalation_step,
    /// escalated_at, cancelled, hotline_status`.
    public var jsonText: String {
        var o = JSONObjectText()
        o.string("id", id)
        o.string("rule", rule)
        o.string("severity", severity.name)
        o.string("state", state.rawValue)
        o.raw("resident", resident?.jsonText ?? "null")
        o.raw("device", device?.jsonText ?? "null")
        o.raw("trigger", trigger.isEmpty ? "null" : trigger)
        o.string("opened_at", openedAt)
        o.string("updated_at", updatedAt)
        o.string("acknowledged_at", acknowledgedAt)
        o.string("acknowledged_by", acknowledgedBy)
        o.string("resolved_at", resolvedAt)
        o.raw("incident", incident?.jsonText ?? "null")
        o.bool("silenced", silenced)
        o.integer("escalation_step", escalationStep)
        o.string("escalated_at", escalatedAt)
        o.bool("cancelled", cancelled)
        o.string("hotline_status", hotlineStatus)
        return o.json
    }
}

extension ResidentRef {
    /// `{"id", "name", "bed", "room", "care_level"}`.
    public var jsonText: String {
        var o = JSONObjectText()
        o.string("id", id)
        o.string("name", name)
        o.string("bed", bed)
        o.string("room", room)
        o.integer("care_level", careLevel)
        return o.json
    }
}

extension DeviceRef {
    /// `{"id", "profile"}`.
    public var jsonText: String {
        var o = JSONObjectText()
        o.string("id", id)
        o.string("profile", profile)
        return o.json
    }
}

extension IncidentRef {
    /// `{"id", "state", "ticket"}`.
    public var jsonText: String {
        var o = JSONObjectText()
        o.string("id", id)
        o.string("state", state)
        o.string("ticket", ticket)
        return o.json
    }
}
