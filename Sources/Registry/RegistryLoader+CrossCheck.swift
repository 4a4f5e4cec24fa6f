extension RegistryLoader {
    /// Whether the direct reader of the registry's usual layout (`RegistryBlockYAML`) reads
    /// `bytes` exactly as Yams does: the same entries with the same lines. Nil when the direct
    /// reader declines the file (another layout, a construct it leaves to Yams, or a problem to
    /// report). The `fuzz-registry-yaml` fuzzer's check, and the tests'.
    public static func crossCheckYAML(bytes: [UInt8], parts: Int? = nil) -> Bool? {
        guard let text = String(validating: bytes, as: UTF8.self),
            let direct = RegistryBlockYAML.draft(bytes: bytes, path: "check.yaml", parts: parts)
        else { return nil }
        var reader = RegistryYAMLReader(path: "check.yaml")
        let composed = reader.readWhole(text)
        guard reader.log.isEmpty else { return false }
        return direct.sameEntries(as: composed)
    }
}

extension RegistryDraft {
    /// Entries and their lines equal; a bed's line only counts when the resident has a bed.
    func sameEntries(as other: RegistryDraft) -> Bool {
        guard residents.count == other.residents.count, beds.count == other.beds.count else { return false }
        for (a, b) in zip(residents, other.residents) {
            guard a.resident == b.resident, a.line == b.line, a.deviceLines == b.deviceLines,
                a.resident.bed == nil || a.bedLine == b.bedLine
            else { return false }
        }
        for (a, b) in zip(beds, other.beds) {
            guard a.bed == b.bed, a.line == b.line, a.deviceLines == b.deviceLines else { return false }
        }
        return true
    }
}
