import Foundation
import Rules
import Store

/// Reads and decodes the saved rule state on a thread of its own while the gateway loads its registry,
/// so READY with a city's rule state (255,000 rows for 100,000 residents) waits for the longer of the
/// two, not for their sum.
final class RuleStateLoader: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written by the loading thread before it signals `done`, read only after.
    private var result: RestoredRuleState?
    private var failure: String?

    /// Starts reading the database at `path`; nil when there is none yet (a new database holds no state).
    static func start(path: String) -> RuleStateLoader? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let loader = RuleStateLoader()
        let thread = Thread { [loader] in
            loader.load(path: path)
            loader.done.signal()
        }
        thread.name = "anxin-state-load"
        thread.start()
        return loader
    }

    private func load(path: String) {
        do throws(SQLiteError) {
            let store = try Store(path: path, readOnly: true)
            defer { store.close() }
            let counts = try store.ruleStateCounts()
            var decoded = RestoredRuleState(subjects: counts.subjects, devices: counts.devices)
            try store.forEachRuleState { key, blob in decoded.add(key: key, blob: blob) }
            result = decoded
        } catch {
            failure = error.description
        }
    }

    /// The decoded state, once read; nil when it could not be read here (an older database, say): the
    /// pipeline then reads it itself, after the migrations.
    func wait() -> (state: RestoredRuleState?, failure: String?) {
        done.wait()
        return (result, failure)
    }
}
