import AnxinCore

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

    var residents: [ResidentEntry] = []
    var beds: [BedEntry] = []

    /// The indexed snapshot; call only once `validate` reported nothing.
    var snapshot: RegistrySnapshot {
        RegistrySnapshot(residents: residents.map(\.resident), beds: beds.map(\.bed))
    }
}
