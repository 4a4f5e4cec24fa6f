/// What a staff member may do. Each role can do everything the roles below it can.
///
/// - `viewer`: read everything (alerts, residents, devices, outbox, silences, the live stream).
/// - `oncall`: also acknowledge, resolve and cancel alerts, and add or lift silences.
/// - `admin`: also requeue outbox items and read the audit log.
public enum StaffRole: String, Sendable, Hashable, CaseIterable, Comparable {
    case viewer, oncall, admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .oncall: 1
        case .admin: 2
        }
    }

    public static func < (lhs: StaffRole, rhs: StaffRole) -> Bool { lhs.rank < rhs.rank }
}
