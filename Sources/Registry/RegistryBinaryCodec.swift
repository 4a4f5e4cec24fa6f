import AnxinCore

/// The compact binary form of residents and beds kept in the registry cache: varint
/// lengths and counts, UTF-8 strings, little-endian doubles, dictionaries in key order.
/// Reading is bounds-checked throughout; a malformed cache is an error, never a crash.
enum RegistryBinaryCodec {
    typealias Malformed = ResidentCodec.Malformed
    typealias Writer = ResidentCodec.Writer
    typealias Reader = ResidentCodec.Reader

    /// The whole payload in one buffer (the tests'; the cache writes ``encodedParts(_:)`` unjoined).
    static func encode(_ snapshot: RegistrySnapshot) -> [UInt8] {
        let (head, tail) = encodedParts(snapshot)
        return snapshot.residents.withEncodedResidents { head + $0 + tail }
    }

    /// The encoding in three parts, so a writer need not join them: `head` (the residents' count), the
    /// residents as the table holds them (``ResidentTable/withEncodedResidents(_:)``), and `tail` (the
    /// beds).
    static func encodedParts(_ snapshot: RegistrySnapshot) -> (head: [UInt8], tail: [UInt8]) {
        var head = Writer()
        head.count(snapshot.residents.count)
        var w = Writer()
        w.bytes.reserveCapacity(16 + snapshot.beds.count * 64)
        w.count(snapshot.beds.count)
        for b in snapshot.beds {
            w.string(b.code)
            w.optional(b.room)
            w.strings(b.devices)
        }
        return (head.bytes, w.bytes)
    }

    /// `passed` is told, every few thousand residents, how far the decoder has read (the cache gives
    /// the pages behind back).
    static func decode(_ bytes: UnsafeRawBufferPointer, passed: ((Int) -> Void)? = nil) throws(Malformed)
        -> RegistrySnapshot
    {
        var r = Reader(bytes: bytes)
        let residentCount = try r.count()
        // The table keeps each resident's bytes as read (about the cache's size in all).
        var residents = ResidentTable.Builder(capacity: residentCount, bytes: bytes.count)
        for n in 0..<residentCount {
            let start = r.offset
            let resident = try r.resident()
            residents.append(resident, encoded: UnsafeRawBufferPointer(rebasing: bytes[start..<r.offset]))
            if n & 4095 == 4095 { passed?(r.offset) }
        }
        let bedCount = try r.count()
        var beds: [Bed] = []
        beds.reserveCapacity(bedCount)
        for _ in 0..<bedCount {
            beds.append(Bed(code: try r.string(), room: try r.optionalString(), devices: try r.strings()))
        }
        guard r.offset == bytes.count else { throw Malformed() }
        return RegistrySnapshot(residents: residents, beds: beds)
    }
}
