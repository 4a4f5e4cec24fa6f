import AnxinCore

extension AlertView {
    enum CodingKeys: String, CodingKey {
        case id, rule, severity, state, resident, device, trigger
        case openedAt = "opened_at"
        case updatedAt = "updated_at"
        case acknowledgedAt = "acknowledged_at"
        case acknowledgedBy = "acknowledged_by"
        case resolvedAt = "resolved_at"
        case incident, silenced
        case escalationStep = "escalation_step"
        case escalatedAt = "escalated_at"
        case cancelled
        case hotlineStatus = "hotline_status"
    }

    /// Decodes the API's own shape (snake_case keys, severity by name, `trigger` as any JSON value).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        rule = try c.decode(String.self, forKey: .rule)
        let severityName = try c.decode(String.self, forKey: .severity)
        guard let severity = Severity(name: severityName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .severity, in: c, debugDescription: "unknown severity")
        }
        self.severity = severity
        state = try c.decode(AlertState.self, forKey: .state)
        resident = try c.decodeIfPresent(ResidentRef.self, forKey: .resident)
        device = try c.decodeIfPresent(DeviceRef.self, forKey: .device)
        trigger = try c.decodeIfPresent(JSONTree.self, forKey: .trigger)?.jsonText ?? "null"
        openedAt = try c.decode(String.self, forKey: .openedAt)
        updatedAt = try c.decode(String.self, forKey: .updatedAt)
        acknowledgedAt = try c.decodeIfPresent(String.self, forKey: .acknowledgedAt)
        acknowledgedBy = try c.decodeIfPresent(String.self, forKey: .acknowledgedBy)
        resolvedAt = try c.decodeIfPresent(String.self, forKey: .resolvedAt)
        incident = try c.decodeIfPresent(IncidentRef.self, forKey: .incident)
        silenced = try c.decodeIfPresent(Bool.self, forKey: .silenced) ?? false
        escalationStep = try c.decodeIfPresent(Int.self, forKey: .escalationStep) ?? 0
        escalatedAt = try c.decodeIfPresent(String.self, forKey: .escalatedAt)
        cancelled = try c.decodeIfPresent(Bool.self, forKey: .cancelled) ?? false
        hotlineStatus = try c.decodeIfPresent(String.self, forKey: .hotlineStatus)
    }

    /// Encodes the API's own shape; `trigger` is written as a JSON value, not as a string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(rule, forKey: .rule)
        try c.encode(severity.name, forKey: .severity)
        try c.encode(state, forKey: .state)
        try c.encode(resident, forKey: .resident)
        try c.encode(device, forKey: .device)
        try c.encode(JSONTree.parse(trigger) ?? .null, forKey: .trigger)
        try c.encode(openedAt, forKey: .openedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(acknowledgedAt, forKey: .acknowledgedAt)
        try c.encode(acknowledgedBy, forKey: .acknowledgedBy)
        try c.encode(resolvedAt, forKey: .resolvedAt)
        try c.encode(incident, forKey: .incident)
        try c.encode(silenced, forKey: .silenced)
        try c.encode(escalationStep, forKey: .escalationStep)
        try c.encode(escalatedAt, forKey: .escalatedAt)
        try c.encode(cancelled, forKey: .cancelled)
        try c.encode(hotlineStatus, forKey: .hotlineStatus)
    }
}
