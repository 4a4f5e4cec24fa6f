/// A fast 128-bit non-cryptographic hash of a byte string (two multiply-rotate lanes over
/// 64-bit words, finished with the SplitMix64 mixer). It detects edits to a registry file
/// for the cache; it is not meant to resist someone forging a collision, and need not:
/// whoever can write the registry can write the cache folder's owner's files anyway.
struct RegistryDigest: Equatable {
    var high: UInt64
    var low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { RegistryDigest(UnsafeRawBufferPointer($0)) }
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        var running = Running(totalCount: bytes.count)
        self = running.finish(last: bytes)
    }

    /// The digest of `parts` joined, without joining them (pieces of any length).
    init(parts: [UnsafeRawBufferPointer]) {
        var running = Running(totalCount: parts.reduce(0) { $0 + $1.count })
        // The bytes of a word split between parts wait here for the rest of it (at most 7).
        var carry: [UInt8] = []
        carry.reserveCapacity(8)
        for part in parts {
            var rest = part
            if !carry.isEmpty {
                let take = min(8 - carry.count, rest.count)
                carry.append(contentsOf: rest[rest.startIndex..<rest.startIndex + take])
                rest = UnsafeRawBufferPointer(rebasing: rest[(rest.startIndex + take)...])
                guard carry.count == 8 else { continue }
                carry.withUnsafeBytes { _ = running.add($0) }
                carry.removeAll(keepingCapacity: true)
            }
            let whole = running.add(rest)
            carry.append(contentsOf: rest[(rest.startIndex + whole)...])
        }
        self = carry.withUnsafeBytes { running.finish(last: $0) }
    }

    /// The digest of bytes given in pieces, so that a large file need not be held whole: every
    /// piece but the last a multiple of 8 bytes long, `totalCount` known at the start. Gives the
    /// same digest as hashing the pieces joined.
    struct Running {
        private var a: UInt64
        private var b: UInt64

        init(totalCount n: Int) {
            a = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
            b = 0xC2B2_AE3D_27D4_EB4F &+ UInt64(n)
        }

        /// Hashes the whole 8-byte words of `bytes`; returns how many bytes that was.
        @discardableResult
        mutating func add(_ bytes: UnsafeRawBufferPointer) -> Int {
            let n = bytes.count
            var i = 0
            while i + 8 <= n {
                let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                a = RegistryDigest.rotate(a ^ (w &* 0x87C3_7B91_1142_53D5), 31) &* 0x4CF5_AD43_2745_937F
                b = RegistryDigest.rotate(b &+ (w &* 0x52DC_E729_DA3E_D14F), 27) &* 0x9FB2_1C65_1E98_DF25 ^ a
                i += 8
            }
            return i
        }

        /// Hashes the last piece, its tail included, and gives the digest.
        mutating func finish(last bytes: UnsafeRawBufferPointer) -> RegistryDigest {
            var i = add(bytes)
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.count {
                tail |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            a = RegistryDigest.mix(a ^ tail ^ RegistryDigest.rotate(b, 17))
            b = RegistryDigest.mix(b &+ tail &+ a)
            return RegistryDigest(high: a, low: b)
        }
    }

    @inline(__always)
    fileprivate static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    fileprivate static func mix(_ x0: UInt64) -> UInt64 {
        var x = x0 &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }
}
