/// The encoding of a staged pack (`reading_packs.data`): one device's readings from one message, in
/// the order they came, each written as its kind (1 byte) and a block row (`ReadingBlockCodec.append`)
/// after the previous reading's time, the first with its absolute time. A message of four readings is
/// one row of the stage, not four.
enum ReadingPackCodec {
    @inline(__always)
    static func append(kind: UInt8, _ row: StoredRow, previous: Int64?, to out: inout [UInt8]) {
        out.append(kind)
        ReadingBlockCodec.append(row, after: previous, to: &out)
    }

    /// Calls `body` with each reading's kind and row, in order; false when the bytes stop being a valid
    /// pack (what decoded before that was delivered).
    @inline(__always)
    static func forEach(_ buf: UnsafeBufferPointer<UInt8>, _ body: (UInt8, StoredRow) -> Void) -> Bool {
        var i = 0
        var at: Int64 = 0
        while i < buf.count {
            let kind = buf[i]
            i += 1
            guard let row = ReadingBlockCodec.decodeRow(buf, &i, after: &at) else { return false }
            body(kind, row)
        }
        return true
    }
}
