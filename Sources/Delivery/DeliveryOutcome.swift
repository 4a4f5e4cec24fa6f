/// What one delivery attempt ended in; the label of `anxin_deliveries_total{outcome}`.
public enum DeliveryOutcome: String, Sendable, Hashable, CaseIterable {
    /// 2xx: the hotline took the incident.
    case accepted
    /// 409: the hotline already had it (an earlier attempt got through).
    case duplicate
    /// 408, 429, 5xx, timeout or connection error: tried again later.
    case retry
    /// Any other 4xx: kept, retried only when an operator requeues it.
    case rejected
}
