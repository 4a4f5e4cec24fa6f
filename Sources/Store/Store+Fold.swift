import AnxinCore

/// What one `Store.foldStagedReadings` call did.
public struct FoldOutcome: Sendable, Hashable {
    /// Staged readings taken (of purged devices included).
    public var taken = 0
    /// Readings that went into the history's blocks; the rest repeated a stored reading or were purged.
    public var stored = 0
    /// True when more was staged than one fold takes: call again.
    public var more = false

    public init(taken: Int = 0, stored: Int = 0, more: Bool = false) {
        self.taken = taken
        self.stored = stored
        self.more = more
    }
}

/// A fold under way, done a step at a time (`Store.foldStep`): its staged packs read and sorted in
/// memory by device, then merged into the history device by device, about `chunkRows` readings per
/// transaction, then deleted from the stage. A large fold is held a part at a time: the devices it
/// covers are split into ranges of device refs, each read from the stage when the one before is
/// written, so the packs in memory stay under `Store.foldPartBytes` while a fold still takes all of a
/// device's staged readings at once (its blocks rewritten once per fold, not once per part).
public struct FoldBatch: Sendable, Hashable {
    /// The staged rowids it took.
    let first: Int64
    let last: Int64
    /// Readings taken (purged devices' blanked packs not counted).
    public let taken: Int
    /// Packs of the part in memory (held by the store that began the fold).
    var packs: Int
    /// The next pack of that part to write.
    var next = 0
    /// The highest device ref the fold covers, the refs a part covers, and the highest ref of the part
    /// in memory.
    let refHigh: Int64
    let refSpan: Int64
    var partHigh: Int64
    /// Readings that were new to the history so far.
    public internal(set) var stored = 0
    /// More packs were staged than the batch took.
    public let more: Bool
    /// About how many readings were staged past the batch when it began (packs past it times the
    /// batch's readings per pack): what waits for the next folds.
    public let behind: Int64
    public var written: Bool { next >= packs && partHigh >= refHigh }
}

/// A staged pack taken by a fold, 24 bytes: where its bytes are in `Store.foldBytes`. A fold sorts
/// these (by device, then staged order), not its readings, so it holds about 10 bytes a reading
/// rather than a row of 64.
struct FoldPack {
    let src: Int64
    let deviceRef: Int64
    let offset: UInt32
    let length: UInt32
}

/// One reading of the device a fold is merging: its kind, its place in staged order (so of two staged
/// repeats the earlier is kept) and its row.
struct FoldEntry {
    let kind: UInt8
    let seq: Int32
    let row: StoredRow
}

extension Store {
    /// Merges staged readings (`stageReading`) into the history's blocks (`reading_blocks`), then
    /// deletes them from the stage.
    ///
    /// The whole fold at once (start-up, stop, tests); the gateway's folder thread folds a step at a
    /// time (`beginFold`, `foldStep`), so nothing ever waits long for it. Never inside a
    /// transaction. A crash at any point leaves the rows staged, and the next fold merges them again:
    /// a repeat of a stored reading (same device, kind, measured time and value) is dropped.
    public func foldStagedReadings(maxRows: Int = 300_000, chunkRows: Int = 2_000) throws(SQLiteError)
        -> FoldOutcome
    {
        try foldStagedReadings(maxRows: maxRows, chunkRows: chunkRows, afterSort: nil)
    }

    /// `afterSort` runs between the sort and the writes, `afterStep` after each step (tests: another
    /// connection purges there); `partBytes` splits a small fold into parts (`FoldBatch`).
    func foldStagedReadings(
        maxRows: Int, chunkRows: Int, partBytes: Int = Store.foldPartBytes,
        afterSort: (() throws(SQLiteError) -> Void)?, afterStep: (() throws(SQLiteError) -> Void)? = nil
    ) throws(SQLiteError) -> FoldOutcome {
        guard var batch = try beginFold(maxRows: maxRows, partBytes: partBytes) else { return FoldOutcome() }
        try afterSort?()
        while !batch.written {
            try foldStep(&batch, chunkRows: chunkRows)
            try afterStep?()
        }
        try finishFold(batch, chunkRows: chunkRows)
        return FoldOutcome(taken: batch.taken, stored: batch.stored, more: batch.more)
    }

    /// The most a fold holds in memory at once, in staged packs' bytes and their 24-byte entries; a
    /// larger fold is read and written a part at a time (`FoldBatch`).
    public static let foldPartBytes = 8 << 20

    /// Takes the oldest staged packs, about `maxRows` readings (whole packs, at least one), and reads
    /// the first part of them into memory, sorted by device (a read of the database: no write lock).
    /// Nil when nothing is staged. `partBytes`: tests split small folds into parts.
    public func beginFold(maxRows: Int, partBytes: Int = Store.foldPartBytes) throws(SQLiteError) -> FoldBatch? {
        try requireWritable("fold staged readings")
        return try locked { () throws(SQLiteError) -> FoldBatch? in
            if transactionDepth > 0 {
                throw SQLiteError(code: SQLiteError.misuse, message: "fold staged readings: inside a transaction")
            }
            let bounds = try query(
                "SELECT min(rowid), max(rowid) FROM reading_packs", "find staged readings",
                bind: { _ throws(SQLiteError) in }, row: { s in (s.optionalInt64(0), s.optionalInt64(1)) }
            ).first
            guard let lo = bounds?.0, let last = bounds?.1 else { return nil }
            // The extent, devices and size first, without the bytes.
            var hi = lo
            var taken = 0
            var packs = 0
            var bytes = 0
            var refLow = Int64.max
            var refHigh: Int64 = 0
            try withStatement(
                "SELECT rowid, device_ref, count, length(data) FROM main.reading_packs WHERE rowid BETWEEN ? AND ? ORDER BY rowid"
            ) { s throws(SQLiteError) in
                try s.bind(1, lo)
                try s.bind(2, last)
                while try s.step("size staged readings") {
                    let count = max(0, s.int(2))
                    if taken > 0 && taken + count > maxRows { break }
                    hi = s.int64(0)
                    let ref = s.int64(1)
                    // A purged device's newest pack is blanked (device 0): nothing to fold.
                    guard ref > 0 else { continue }
                    taken += count
                    packs += 1
                    bytes += max(0, s.int(3))
                    refLow = min(refLow, ref)
                    refHigh = max(refHigh, ref)
                }
            }
            let perPack = packs == 0 ? 1 : max(1, Double(taken) / Double(packs))
            let behind = Int64((Double(last - hi) * perPack).rounded())
            guard packs > 0 else {
                foldPacks.removeAll(keepingCapacity: true)
                foldBytes.removeAll(keepingCapacity: true)
                return FoldBatch(
                    first: lo, last: hi, taken: 0, packs: 0, refHigh: 0, refSpan: 1, partHigh: 0, more: hi < last,
                    behind: behind)
            }
            let held = bytes + packs * MemoryLayout<FoldPack>.stride
            let part = max(1, partBytes)
            let parts = Int64(max(1, (held + part - 1) / part))
            let refSpan = max(1, (refHigh - refLow + parts) / parts)
            let partHigh = refHigh - refLow < refSpan ? refHigh : refLow + refSpan - 1
            let firstPart = try readFoldPart(first: lo, last: hi, refs: refLow...partHigh)
            return FoldBatch(
                first: lo, last: hi, taken: taken, packs: firstPart, refHigh: refHigh, refSpan: refSpan,
                partHigh: partHigh, more: hi < last, behind: behind)
        }
    }

    /// Reads the staged packs between two rowids of the devices in `refs` into `foldPacks` and
    /// `foldBytes`, sorted by device then staged order; how many.
    private func readFoldPart(first: Int64, last: Int64, refs: ClosedRange<Int64>) throws(SQLiteError) -> Int {
        foldPacks.removeAll(keepingCapacity: true)
        foldBytes.removeAll(keepingCapacity: true)
        try withStatement(
            "SELECT rowid, device_ref, data FROM main.reading_packs WHERE rowid BETWEEN ? AND ? AND device_ref BETWEEN ? AND ? ORDER BY rowid"
        ) { s throws(SQLiteError) in
            try s.bind(1, first)
            try s.bind(2, last)
            try s.bind(3, refs.lowerBound)
            try s.bind(4, refs.upperBound)
            while try s.step("read staged readings") {
                let offset = foldBytes.count
                s.withBlob(2) { foldBytes.append(contentsOf: $0) }
                foldPacks.append(
                    FoldPack(
                        src: s.int64(0), deviceRef: s.int64(1), offset: UInt32(truncatingIfNeeded: offset),
                        length: UInt32(truncatingIfNeeded: foldBytes.count - offset)))
            }
        }
        foldPacks.sort { a, b in a.deviceRef != b.deviceRef ? a.deviceRef < b.deviceRef : a.src < b.src }
        return foldPacks.count
    }

    /// Merges the batch's next devices into the history, kind by kind, in one transaction of about
    /// `chunkRows` readings (the longest any writer waits for a fold). A device's readings are merged
    /// only while they are still staged under it, so a resident purged meanwhile (`anxin purge`,
    /// another process) stays purged.
    public func foldStep(_ batch: inout FoldBatch, chunkRows: Int) throws(SQLiteError) {
        guard !batch.written else { return }
        try locked { () throws(SQLiteError) in
            if batch.next >= batch.packs {
                // The part in memory is written: read the next (an empty one ends this step).
                let low = batch.partHigh + 1
                let high = batch.refHigh - low < batch.refSpan ? batch.refHigh : low + batch.refSpan - 1
                batch.packs = try readFoldPart(first: batch.first, last: batch.last, refs: low...high)
                batch.next = 0
                batch.partHigh = high
                if batch.packs == 0 { return }
            }
            guard foldPacks.count == batch.packs else {
                throw SQLiteError(code: SQLiteError.misuse, message: "fold staged readings: not this store's fold")
            }
            var next = batch.next
            batch.stored += try writeTransaction("fold staged readings", durability: .preferred) {
                () throws(SQLiteError) -> Int in
                var stored = 0
                var readings = 0
                while next < foldPacks.count, readings < max(1, chunkRows) {
                    let ref = foldPacks[next].deviceRef
                    var upper = next + 1
                    while upper < foldPacks.count, foldPacks[upper].deviceRef == ref { upper += 1 }
                    if try isStaged(src: foldPacks[next].src, deviceRef: ref) {
                        let (merged, decoded) = try mergeDevice(ref: ref, packs: next..<upper)
                        stored += merged
                        readings += decoded
                    } else {
                        readings += upper - next
                    }
                    next = upper
                }
                return stored
            }
            batch.next = next
        }
    }

    /// Decodes one device's packs of the fold, sorts its readings by kind, time, value and staged order,
    /// and merges each kind into its blocks; (readings new to the history, readings decoded).
    private func mergeDevice(ref: Int64, packs: Range<Int>) throws(SQLiteError) -> (Int, Int) {
        foldScratch.removeAll(keepingCapacity: true)
        var seq: Int32 = 0
        foldBytes.withUnsafeBufferPointer { all in
            for p in packs {
                let pack = foldPacks[p]
                let bytes = UnsafeBufferPointer(rebasing: all[Int(pack.offset)..<Int(pack.offset + pack.length)])
                // A damaged pack (it cannot be, short of a damaged file) gives what decodes of it.
                _ = ReadingPackCodec.forEach(bytes) { kind, row in
                    guard ReadingKind(rawValue: kind) != nil else { return }
                    foldScratch.append(FoldEntry(kind: kind, seq: seq, row: row))
                    seq &+= 1
                }
            }
        }
        groupFoldScratchByKind()
        var stored = 0
        var start = 0
        while start < foldScratch.count {
            let kind = foldScratch[start].kind
            var end = start + 1
            while end < foldScratch.count, foldScratch[end].kind == kind { end += 1 }
            stored += try mergeIntoBlocks(
                ref: ref, kind: Int64(kind), rows: foldScratch[start..<end].lazy.map(\.row))
            start = end
        }
        return (stored, foldScratch.count)
    }

    /// Orders `foldScratch` (one device's readings in staged order) by kind, measured time, value and
    /// staged order. A stable counting sort by kind first (a device has a handful of kinds, interleaved
    /// message by message); within a kind the readings almost always come in time order already, so a
    /// kind is sorted only when they do not (a buffered upload, a clock set back). The general sort this
    /// replaces took 5 % of the folder's thread at QoS 0.
    func groupFoldScratchByKind() {
        let n = foldScratch.count
        guard n > 1 else { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { next in
            next.initialize(repeating: 0)
            for e in foldScratch { next[Int(e.kind)] += 1 }
            var offset = 0
            for k in 0..<256 {
                let count = next[k]
                next[k] = offset
                offset += count
            }
            foldGrouped.removeAll(keepingCapacity: true)
            foldGrouped.reserveCapacity(n)
            foldScratch.withUnsafeBufferPointer { from in
                foldGrouped.append(contentsOf: from)  // the room, each slot written again below
                foldGrouped.withUnsafeMutableBufferPointer { to in
                    for e in from {
                        to[next[Int(e.kind)]] = e
                        next[Int(e.kind)] += 1
                    }
                }
            }
        }
        swap(&foldScratch, &foldGrouped)
        var start = 0
        while start < n {
            let kind = foldScratch[start].kind
            var end = start + 1
            var sorted = true
            while end < n, foldScratch[end].kind == kind {
                let a = foldScratch[end - 1].row
                let b = foldScratch[end].row
                // Staged order breaks ties: grouping kept it, so `seq` already ascends.
                if a.measuredAt > b.measuredAt || (a.measuredAt == b.measuredAt && a.value > b.value) { sorted = false }
                end += 1
            }
            if !sorted {
                foldScratch[start..<end].sort { a, b in
                    if a.row.measuredAt != b.row.measuredAt { return a.row.measuredAt < b.row.measuredAt }
                    if a.row.value != b.row.value { return a.row.value < b.row.value }
                    return a.seq < b.seq
                }
            }
            start = end
        }
    }

    /// Whether the staged pack `src` is still staged under `deviceRef` (a purge deletes or blanks every
    /// staged pack of its devices at once, so one pack answers for all of a device's packs in a fold).
    private func isStaged(src: Int64, deviceRef: Int64) throws(SQLiteError) -> Bool {
        try !query(
            "SELECT 1 FROM main.reading_packs WHERE rowid = ? AND device_ref = ?", "check a staged reading",
            bind: { s throws(SQLiteError) in
                try s.bind(1, src)
                try s.bind(2, deviceRef)
            }, row: { _ in true }
        ).isEmpty
    }

    /// Deletes a written batch's packs from the stage, `4 * chunkRows` rowids per transaction: only
    /// now is every one of them in the history.
    public func finishFold(_ batch: FoldBatch, chunkRows: Int) throws(SQLiteError) {
        precondition(batch.written, "finishFold before every row was written")
        var start = batch.first
        while start <= batch.last {
            let end = min(batch.last, start + Int64(max(1, chunkRows)) * 4 - 1)
            try writeTransaction("delete folded readings", durability: .preferred) { () throws(SQLiteError) in
                try execute(
                    "DELETE FROM main.reading_packs WHERE rowid BETWEEN ? AND ?", "delete folded readings"
                ) { s throws(SQLiteError) in
                    try s.bind(1, start)
                    try s.bind(2, end)
                }
            }
            start = end + 1
        }
        try locked { () throws(SQLiteError) in
            foldPacks = []
            foldBytes = []
            foldScratch = []
            foldGrouped = []
        }
    }

    /// Staged packs not yet folded (a message's readings of one device each; purged ones blanked
    /// included): for tests and metrics, it counts the table.
    public func stagedPackCount() throws(SQLiteError) -> Int {
        try locked { () throws(SQLiteError) -> Int in
            try query(
                "SELECT count(*) FROM reading_packs", "count staged readings", bind: { _ throws(SQLiteError) in },
                row: { s in s.int(0) }
            ).first ?? 0
        }
    }
}
