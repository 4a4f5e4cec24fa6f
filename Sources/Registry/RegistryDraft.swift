import AnxinCore
import Foundation

/// A registry as read from a file, before validation: every entry keeps the lines it
/// came from so that cross-entry problems (a device bound twice) can be reported where
/// they are.
struct RegistryDraft {
    struct ResidentEntry {
        var resident: Resident
        /// Line of the resident's mapping (YAML) or row (CSV).
        var line: Int
        var bedLine: Int
        /// Line of each of `resident.devices`, same order.
        var deviceLines: [Int]
    }

    struct BedEntry {
        var bed: Bed
        var line: Int
        /// Line of each of `bed.devices`, same order.
        var deviceLines: [Int]
    }

    /// A resident's lines, kept beside it (``ResidentEntries``).
    struct ResidentLines {
        var line: Int
        var bedLine: Int
        var deviceLines: [Int]
    }

    /// The residents, already in the snapshot's compact form (``ResidentTable``), and at the same index
    /// the lines they came from: a city's residents are never held as `Resident` values, whose strings
    /// and arrays are each an allocation (48 MB for 100,000 residents, against some 20 here), and the
    /// snapshot takes the table as it is.
    struct ResidentEntries: RandomAccessCollection {
        private(set) var table = ResidentTable.Builder(capacity: 0)
        private var lines: [ResidentLines] = []

        var startIndex: Int { 0 }
        var endIndex: Int { lines.count }

        /// Entry `i`, its resident decoded (validation reads ``id(at:)`` and the like instead).
        subscript(i: Int) -> ResidentEntry {
            ResidentEntry(
                resident: table.resident(at: i), line: lines[i].line, bedLine: lines[i].bedLine,
                deviceLines: lines[i].deviceLines)
        }

        func id(at i: Int) -> String { table.id(at: i) }
        func bed(at i: Int) -> String? { table.bed(at: i) }
        func devices(at i: Int) -> [String] { table.devices(at: i) }
        func lines(at i: Int) -> ResidentLines { lines[i] }

        mutating func append(_ entry: ResidentEntry) {
            table.append(entry.resident)
            lines.append(ResidentLines(line: entry.line, bedLine: entry.bedLine, deviceLines: entry.deviceLines))
        }

        mutating func append(contentsOf other: ResidentEntries) {
            table.append(contentsOf: other.table)
            lines.append(contentsOf: other.lines)
        }

        mutating func reserveCapacity(_ n: Int) {
            table.reserveCapacity(n)
            lines.reserveCapacity(n)
        }
    }

    var residents = ResidentEntries()
    var beds: [BedEntry] = []

    /// The indexed snapshot; call only once `validate` reported nothing.
    var snapshot: RegistrySnapshot {
        RegistrySnapshot(residents: residents.table, beds: beds.map(\.bed))
    }
}

extension RegistryDraft {
    /// The snapshot when `validate` reports nothing, else nil. The two build their indexes of
    /// every id, bed and device side by side (a tenth of a second each for 100,000 residents).
    func validatedSnapshot(path: String) -> RegistrySnapshot? {
        let slots = ValidationSlots(path: path)
        DispatchQueue.concurrentPerform(iterations: 2) { n in
            if n == 0 {
                slots.snapshot = snapshot
            } else {
                validate(into: &slots.log)
            }
        }
        return slots.log.isEmpty ? slots.snapshot : nil
    }
}

/// Where `validatedSnapshot`'s two halves leave their results; each writes only its own field,
/// and both are read after both are done.
private final class ValidationSlots: @unchecked Sendable {
    var snapshot: RegistrySnapshot?
    var log: RegistryDiagnostics

    init(path: String) {
        log = RegistryDiagnostics(path: path)
    }
}
