import Store

/// What came of a request to silence.
public enum StaffSilenceResult: Sendable {
    /// In force; the silence as stored.
    case ok(SilenceRecord)
    /// Refused by policy (an SOS or fall rule, an unknown target); answered 400 with this text,
    /// which must name the rule broken, not a resident's data.
    case refused(String)
}
