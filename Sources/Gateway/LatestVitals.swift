import AnxinCore

/// The newest value of each kind and the newest fix for one subject, kept in memory so an
/// incident can be written without a query (SPEC 7: vitals and location of the last 15 min).
struct LatestVitals {
    var values: [(value: Double, at: EpochMillis)?] = Array(repeating: nil, count: ReadingKind.allCases.count)
    var location: (Location, EpochMillis)?

    mutating func note(_ r: Reading) {
        switch r.value {
        case .location(let l):
            if location.map({ $0.1 <= r.measuredAt }) ?? true { location = (l, r.measuredAt) }
        default:
            guard let v = r.value.number else { return }
            let i = Int(r.kind.rawValue)
            if values[i].map({ $0.at <= r.measuredAt }) ?? true { values[i] = (v, r.measuredAt) }
        }
    }

    /// Vital signs measured within `window` ms of `now` (the time the alert fired on).
    func recent(now: EpochMillis, window: EpochMillis) -> [(ReadingKind, Double, EpochMillis)] {
        var out: [(ReadingKind, Double, EpochMillis)] = []
        for k in ReadingKind.allCases where k != .location {
            if let v = values[Int(k.rawValue)], abs(now - v.at) <= window { out.append((k, v.value, v.at)) }
        }
        return out
    }

    func recentLocation(now: EpochMillis, window: EpochMillis) -> (Location, EpochMillis)? {
        guard let l = location, abs(now - l.1) <= window else { return nil }
        return l
    }
}
