import AnxinCore

/// The newest value of each kind and the newest fix for one subject, kept in memory so an
/// incident can be written without a query (SPEC 7: vitals and location of the last 15 min).
/// A city keeps one per resident, so the values are a block of the pipeline's ``LatestPool`` (a
/// resident's handful of kinds, in one buffer with every other resident's), not a slot for every kind.
struct LatestVitals {
    var values = LatestRef()
    var location: (Location, EpochMillis)?

    var isEmpty: Bool { values.isEmpty && location == nil }

    mutating func note(_ r: Reading, in pool: LatestPool) {
        switch r.value {
        case .location(let l):
            if location.map({ $0.1 <= r.measuredAt }) ?? true { location = (l, r.measuredAt) }
        default:
            guard let v = r.value.number else { return }
            if pool.value(values, r.kind).map({ $0.at <= r.measuredAt }) ?? true {
                pool.set(TimedValue(value: v, at: r.measuredAt), r.kind, in: &values)
            }
        }
    }

    /// Vital signs measured within `window` ms of `now` (the time the alert fired on).
    func recent(now: EpochMillis, window: EpochMillis, in pool: LatestPool) -> [(ReadingKind, Double, EpochMillis)] {
        pool.entries(values).compactMap { kind, v in
            kind != .location && abs(now - v.at) <= window ? (kind, v.value, v.at) : nil
        }
    }

    func recentLocation(now: EpochMillis, window: EpochMillis) -> (Location, EpochMillis)? {
        guard let l = location, abs(now - l.1) <= window else { return nil }
        return l
    }

    /// Gives its values' block back to `pool`; it is empty after.
    mutating func release(to pool: LatestPool) {
        pool.release(&values)
        location = nil
    }
}
