/// One stored reading without its device and kind (those are its block's key): the columns of
/// `readings` after `device_ref` and `kind`.
struct StoredRow: Equatable, Sendable {
    var measuredAt: Int64
    /// The number, 0/1 for a yes/no kind, or a location's latitude.
    var value: Double
    /// received_at - measured_at.
    var receivedLag: Int64
    /// Observation flags in bits 0-15, a location's source in bits 16-23.
    var flags: Int64
    var lon: Double?
    var accuracyM: Double?

    /// The history's order and its duplicate filter: two rows with the same measured time and value
    /// (compared as SQLite compares REALs) are the same reading.
    static func precedes(_ a: StoredRow, _ b: StoredRow) -> Bool {
        a.measuredAt != b.measuredAt ? a.measuredAt < b.measuredAt : a.value < b.value
    }

    func sameReading(as other: StoredRow) -> Bool { measuredAt == other.measuredAt && value == other.value }
}

/// The encoding of a block of `reading_blocks`: one device's readings of one kind, sorted by
/// (measured time, value), without repeats, each written as
///
///     tag (1 byte)  bit 0: value is a raw float64 (else a zigzag varint of a whole number)
///                   bit 1: received_lag follows (else 0)   bit 2: flags follow (else 0)
///                   bit 3: lon follows                      bit 4: accuracy_m follows
///                   bit 5: measured_at is absolute
///     measured_at   varint, the distance from the previous row (the first row's from the block's
///                   first_at, so 0), or a zigzag varint of the time itself (bit 5): the first row
///                   of rows appended by SQL without reading the block (`Store.appendInPlace`)
///     value, received_lag (zigzag varint), flags (varint), lon, accuracy_m (float64, little-endian)
///
/// A heart rate takes 5-7 bytes instead of the ~35 a row of its own takes in a clustered table.
enum ReadingBlockCodec {
    /// A block's data stays within this size (unless one measured time alone holds more): the whole
    /// row stays within its page of the table's B-tree (SQLite keeps up to ~1,000 bytes of a
    /// WITHOUT ROWID row in a 4 KiB page, the rest overflows to pages of its own).
    static let targetBytes = 900

    struct Block: Equatable {
        var firstAt: Int64
        var lastAt: Int64
        var count: Int
        var data: [UInt8]
    }

    /// Encodes sorted, repeat-free rows into blocks of about `targetBytes`; rows with the same measured
    /// time are never split across two blocks, so blocks' time ranges never overlap.
    static func encode(_ rows: some Collection<StoredRow>) -> [Block] {
        var blocks: [Block] = []
        var data: [UInt8] = []
        data.reserveCapacity(targetBytes + 64)
        var firstAt: Int64 = 0
        var previous: Int64 = 0
        var count = 0
        for row in rows {
            if count > 0 {
                let mark = data.count
                append(row, after: previous, to: &data)
                // Too big with this row: close the block without it (unless the row shares the
                // previous row's time) and start the next one with it.
                if data.count <= targetBytes || row.measuredAt == previous {
                    previous = row.measuredAt
                    count += 1
                    continue
                }
                data.removeSubrange(mark...)
                blocks.append(Block(firstAt: firstAt, lastAt: previous, count: count, data: data))
                data.removeAll(keepingCapacity: true)
            }
            firstAt = row.measuredAt
            previous = row.measuredAt
            append(row, after: previous, to: &data)
            count = 1
        }
        if count > 0 { blocks.append(Block(firstAt: firstAt, lastAt: previous, count: count, data: data)) }
        return blocks
    }

    /// Encodes a row after one measured at `previous`, or with its absolute time when `previous` is nil.
    static func append(_ row: StoredRow, after previous: Int64?, to out: inout [UInt8]) {
        let whole = isSmallWholeNumber(row.value)
        var tag: UInt8 = whole ? 0 : 1
        if previous == nil { tag |= 32 }
        if row.receivedLag != 0 { tag |= 2 }
        if row.flags != 0 { tag |= 4 }
        if row.lon != nil { tag |= 8 }
        if row.accuracyM != nil { tag |= 16 }
        out.append(tag)
        if let previous {
            putVarint(UInt64(bitPattern: row.measuredAt &- previous), &out)
        } else {
            putVarint(zigzag(row.measuredAt), &out)
        }
        if whole { putVarint(zigzag(Int64(row.value)), &out) } else { putDouble(row.value, &out) }
        if row.receivedLag != 0 { putVarint(zigzag(row.receivedLag), &out) }
        if row.flags != 0 { putVarint(UInt64(bitPattern: row.flags), &out) }
        if let lon = row.lon { putDouble(lon, &out) }
        if let acc = row.accuracyM { putDouble(acc, &out) }
    }

    /// The rows of a block; nil when the data is not a valid encoding of `count` rows.
    static func decode(_ data: [UInt8], firstAt: Int64, count: Int? = nil) -> [StoredRow]? {
        var rows: [StoredRow] = []
        rows.reserveCapacity(count ?? data.count / 5)
        let ok = data.withUnsafeBufferPointer { buf -> Bool in
            var i = 0
            var at = firstAt
            while i < buf.count {
                guard let row = decodeRow(buf, &i, after: &at) else { return false }
                rows.append(row)
            }
            return true
        }
        guard ok, count == nil || rows.count == count else { return nil }
        return rows
    }

    /// Decodes the row at `i` (written by `append`) after one measured at `at`, and moves `i` past it and
    /// `at` to its time; nil when the bytes are not a row.
    @inline(__always)
    static func decodeRow(_ buf: UnsafeBufferPointer<UInt8>, _ i: inout Int, after at: inout Int64) -> StoredRow? {
        guard i < buf.count else { return nil }
        let tag = buf[i]
        i += 1
        if tag & ~63 != 0 { return nil }
        guard let t = varint(buf, &i) else { return nil }
        at = tag & 32 != 0 ? unzigzag(t) : at &+ Int64(bitPattern: t)
        var row = StoredRow(measuredAt: at, value: 0, receivedLag: 0, flags: 0)
        if tag & 1 == 0 {
            guard let v = varint(buf, &i) else { return nil }
            row.value = Double(unzigzag(v))
        } else {
            guard let v = double(buf, &i) else { return nil }
            row.value = v
        }
        if tag & 2 != 0 {
            guard let v = varint(buf, &i) else { return nil }
            row.receivedLag = unzigzag(v)
        }
        if tag & 4 != 0 {
            guard let v = varint(buf, &i) else { return nil }
            row.flags = Int64(bitPattern: v)
        }
        if tag & 8 != 0 {
            guard let v = double(buf, &i) else { return nil }
            row.lon = v
        }
        if tag & 16 != 0 {
            guard let v = double(buf, &i) else { return nil }
            row.accuracyM = v
        }
        return row
    }

    /// Merges sorted, repeat-free `stored` rows with `new` ones (sorted by `StoredRow.precedes`, repeats
    /// allowed): a new row that repeats a stored one (or an earlier new one) is dropped.
    static func merge(stored: [StoredRow], new: some Collection<StoredRow>) -> [StoredRow] {
        var out: [StoredRow] = []
        out.reserveCapacity(stored.count + new.count)
        var i = 0
        for row in new {
            while i < stored.count, StoredRow.precedes(stored[i], row) {
                out.append(stored[i])
                i += 1
            }
            if i < stored.count, stored[i].sameReading(as: row) { continue }
            if let last = out.last, last.sameReading(as: row) { continue }
            out.append(row)
        }
        out.append(contentsOf: stored[i...])
        return out
    }

    /// Whole numbers up to 2^53 (and not -0) are written as varints: a heart rate of 78 takes a byte.
    @inline(__always)
    static func isSmallWholeNumber(_ v: Double) -> Bool {
        v.magnitude < 9_007_199_254_740_992 && v.rounded(.towardZero) == v && !(v == 0 && v.sign == .minus)
    }

    @inline(__always)
    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    @inline(__always)
    static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }

    @inline(__always)
    static func putVarint(_ v: UInt64, _ out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    @inline(__always)
    static func putDouble(_ v: Double, _ out: inout [UInt8]) {
        var bits = v.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func varint(_ buf: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt64? {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while i < buf.count, shift < 64 {
            let b = buf[i]
            i += 1
            v |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return v }
            shift += 7
        }
        return nil
    }

    @inline(__always)
    static func double(_ buf: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Double? {
        guard buf.count - i >= 8 else { return nil }
        var bits: UInt64 = 0
        for k in 0..<8 { bits |= UInt64(buf[i + k]) << (8 * UInt64(k)) }
        i += 8
        return Double(bitPattern: bits)
    }
}
