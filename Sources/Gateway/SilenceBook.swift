import AnxinCore
import Store

/// The silences in force, kept on the pipeline thread so judging an opening alert needs no query.
///
/// A silence covers a resident, a device or a rule for a while; an alert opened under one is
/// recorded and shown as silenced, but nobody is notified and it does not escalate. Which rules
/// may be silenced at all (never SOS or falls) is the rule set's to say: `RuleSet.canSilence`,
/// asked by the pipeline before it asks the book.
struct SilenceBook {
    private(set) var silences: [SilenceRecord] = []

    init(_ silences: [SilenceRecord] = []) {
        self.silences = silences
    }

    /// The silence that covers an alert opening now, if any.
    func covering(rule: String, residentID: String?, device: String, at now: EpochMillis) -> SilenceRecord? {
        silences.first { s in
            guard s.inForce(at: now) else { return false }
            switch s.scope {
            case .rule: return s.target == rule
            case .device: return s.target == device
            case .resident: return residentID != nil && s.target == residentID
            }
        }
    }

    /// Adds a new silence and forgets those that ended before it began (the list stays short).
    mutating func add(_ s: SilenceRecord) {
        silences.removeAll { $0.endsAt <= s.createdAt }
        silences.append(s)
    }

    mutating func lift(id: Int64) {
        silences.removeAll { $0.id == id }
    }
}
