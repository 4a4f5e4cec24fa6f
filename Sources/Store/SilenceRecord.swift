import AnxinCore

/// A period in which a resident's, a device's or a rule's alerts are recorded and shown but
/// nobody is notified (in hospital, device charging, family visit). SOS and falls are never
/// silenced; the gateway enforces that, not the store.
public struct SilenceRecord: Sendable, Hashable {
    /// What a silence covers.
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        case resident, device, rule
    }

    public var id: Int64
    public var scope: Scope
    /// Resident id, device id or rule name.
    public var target: String
    public var reason: String
    public var createdBy: String
    public var createdAt: EpochMillis
    public var endsAt: EpochMillis
    public var liftedAt: EpochMillis?
    public var liftedBy: String?

    public init(
        id: Int64 = 0, scope: Scope, target: String, reason: String, createdBy: String, createdAt: EpochMillis,
        endsAt: EpochMillis, liftedAt: EpochMillis? = nil, liftedBy: String? = nil
    ) {
        self.id = id
        self.scope = scope
        self.target = target
        self.reason = reason
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.endsAt = endsAt
        self.liftedAt = liftedAt
        self.liftedBy = liftedBy
    }

    /// In force at `now`: not lifted and not yet ended.
    public func inForce(at now: EpochMillis) -> Bool {
        liftedAt == nil && createdAt <= now && now < endsAt
    }
}
