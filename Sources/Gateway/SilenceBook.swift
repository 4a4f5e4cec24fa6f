import AnxinCore
import Store

/// The silences in force, kept on the pipeline thread so judging an opening alert needs no query.
///
/// A silence covers a resident, a device or a rule for a while; an alert opened under one is
/// recorded and shown as silenced, but nobody is notified and it does not escalate. SOS and
/// falls are never silenced: someone pressed a button or hit the floor.
struct SilenceBook {
    /// Rules no silence can cover.
    static let neverSilenced: Set<String> = ["sos", "fall"]

    private(set) var silences: [SilenceRecord] = []

    init(_ silences: [SilenceRecord] = []) {
        self.silences = silences
    }

    /// The silence that covers an alert opening now, if any.
    func covering(rule: String, residentID: String?, device: String, at now: EpochMillis) -> SilenceRecord? {
        guard !Self.neverSilenced.contains(rule) else { return nil }
        return silences.first { s in
            guard s.inForce(at: now) else { return false }
            switch s.scope {
            case .rule: return s.target == rule
            case .device: return s.target == device
            case .resident: return residentID != nil && s.target == residentID
            }
        }
    }

    mutating func add(_ s: SilenceRecord) {
        silences.append(s)
    }

    mutating func lift(id: Int64) {
        silences.removeAll { $0.id == id }
    }

    /// Forgets silences that have ended.
    mutating func prune(now: EpochMillis) {
        silences.removeAll { !$0.inForce(at: now) && $0.endsAt <= now }
    }
}
