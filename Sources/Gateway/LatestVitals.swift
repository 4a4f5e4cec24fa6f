import AnxinCore

/// The newest value of each kind and the newest fix for one subject, kept in memory so an
/// incident can be written without a query (SPEC 7: vitals and location of the last 15 min).
/// A city keeps one per resident, so the values are a ``LatestByKind`` (a resident's handful of
/// kinds in one small array), not a slot for every kind.
struct LatestVitals {
    var values = LatestByKind()
    var location: (Location, EpochMillis)?

    var isEmpty: Bool { values.isEmpty && location == nil }

    mutating func note(_ r: Reading) {
        switch r.value {
        case .location(let l):
            if location.map({ $0.1 <= r.measuredAt }) ?? true { location = (l, r.measuredAt) }
        default:
            guard let v = r.value.number else { return }
            if values[r.kind].map({ $0.at <= r.measuredAt }) ?? true {
                values[r.kind] = TimedValue(value: v, at: r.measuredAt)
            }
        }
    }

    /// Vital signs measured within `window` ms of `now` (the time the alert fired on).
    func recent(now: EpochMillis, window: EpochMillis) -> [(ReadingKind, Double, EpochMillis)] {
        values.entries.compactMap { kind, v in
            kind != .location && abs(now - v.at) <= window ? (kind, v.value, v.at) : nil
        }
    }

    func recentLocation(now: EpochMillis, window: EpochMillis) -> (Location, EpochMillis)? {
        guard let l = location, abs(now - l.1) <= window else { return nil }
        return l
    }
}
