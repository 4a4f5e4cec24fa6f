import AnxinCore
import Delivery

/// An in-memory ``IncidentOutbox`` with the semantics the SQLite one must have; it also logs
/// every call so tests can see what the dispatcher recorded.
actor MemoryOutbox: IncidentOutbox {
    enum State: Equatable { case pending, delivered, rejected }

    struct Entry {
        var incident: PendingIncident
        var nextAttemptAt: EpochMillis
        var state: State = .pending
        var ticket: String?
        var lastStatus: Int?
        var lastError: String?
    }

    enum Mark: Equatable {
        case delivered(id: String, status: Int, ticket: String?, at: EpochMillis)
        case retry(id: String, status: Int?, nextAttemptAt: EpochMillis)
        case rejected(id: String, status: Int, at: EpochMillis)

        var id: String {
            switch self {
            case .delivered(let id, _, _, _), .retry(let id, _, _), .rejected(let id, _, _): id
            }
        }
    }

    private(set) var entries: [String: Entry] = [:]
    private(set) var marks: [Mark] = []
    private(set) var dueCalls = 0

    func add(_ incident: PendingIncident, dueAt: EpochMillis? = nil) {
        entries[incident.id] = Entry(incident: incident, nextAttemptAt: dueAt ?? incident.createdAt)
    }

    func entry(_ id: String) -> Entry? { entries[id] }

    func due(now: EpochMillis, limit: Int) async throws -> [PendingIncident] {
        dueCalls += 1
        return entries.values
            .filter { $0.state == .pending && $0.nextAttemptAt <= now }
            .sorted {
                ($0.incident.priority, $0.incident.createdAt, $0.incident.id)
                    < ($1.incident.priority, $1.incident.createdAt, $1.incident.id)
            }
            .prefix(limit)
            .map(\.incident)
    }

    func nextDueTime() async throws -> EpochMillis? {
        entries.values.filter { $0.state == .pending }.map(\.nextAttemptAt).min()
    }

    func markDelivered(id: String, status: Int, ticket: String?, at: EpochMillis) async throws {
        marks.append(.delivered(id: id, status: status, ticket: ticket, at: at))
        update(id) {
            $0.state = .delivered
            $0.ticket = ticket
            $0.lastStatus = status
        }
    }

    func markRetry(id: String, status: Int?, error: String, nextAttemptAt: EpochMillis) async throws {
        marks.append(.retry(id: id, status: status, nextAttemptAt: nextAttemptAt))
        update(id) {
            $0.nextAttemptAt = nextAttemptAt
            $0.lastStatus = status
            $0.lastError = error
        }
    }

    func markRejected(id: String, status: Int, error: String, at: EpochMillis) async throws {
        marks.append(.rejected(id: id, status: status, at: at))
        update(id) {
            $0.state = .rejected
            $0.lastStatus = status
            $0.lastError = error
        }
    }

    private func update(_ id: String, _ change: (inout Entry) -> Void) {
        guard var e = entries[id] else { return }
        e.incident.attempts += 1
        change(&e)
        entries[id] = e
    }

    struct Timeout: Error {}

    /// Waits until at least `count` attempts were recorded; returns them all.
    @discardableResult
    func waitForMarks(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [Mark] {
        let deadline = ContinuousClock.now + timeout
        while marks.count < count {
            if ContinuousClock.now >= deadline { throw Timeout() }
            try await Task.sleep(for: .milliseconds(5))
        }
        return marks
    }
}
