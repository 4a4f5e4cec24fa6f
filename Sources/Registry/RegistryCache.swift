import AnxinCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The parsed registry kept on disk next to the gateway's state, one file per registry
/// path, so that an unchanged large registry is not re-parsed at every start.
///
/// Layout: magic `ANXREG01`, the registry's fingerprint (size, mtime ns, digest), the
/// payload's length and digest, then `RegistryBinaryCodec` payload. Anything that does
/// not check out (other fingerprint, short file, bad digest, bad payload) is a miss.
struct RegistryCache {
    static let magic: [UInt8] = Array("ANXREG01".utf8)
    static let headerSize = 8 + 8 + 8 + 16 + 8 + 16

    /// Background writes, one at a time (two reloads in a row write the same file).
    static let writes = DispatchQueue(label: "anxin.registry-cache")

    /// Where the cache for this registry lives.
    let filePath: String
    let directory: String

    init(directory: String, registryPath: String) {
        self.directory = directory
        let absolute =
            registryPath.hasPrefix("/")
            ? registryPath : FileManager.default.currentDirectoryPath + "/" + registryPath
        let key = RegistryDigest(Array(absolute.utf8))
        let hex = String(key.high, radix: 16)
        filePath = directory + "/registry-" + String(repeating: "0", count: 16 - hex.count) + hex + ".cache"
    }

    /// The cached snapshot when the cache was written for exactly this fingerprint.
    ///
    /// The file is read into a mapping of its own, whose pages are given back as the decoder passes
    /// them, so the file and the residents decoded from it are not both held whole (a 100,000-resident
    /// cache is 18 MB).
    func snapshot(matching fingerprint: RegistryFingerprint) -> RegistrySnapshot? {
        let fd = open(filePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= Self.headerSize, st.st_size < Int.max / 2 else { return nil }
        let size = Int(st.st_size)
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            base != MAP_FAILED
        else { return nil }
        defer { munmap(base, size) }
        var filled = 0
        while filled < size {
            let n = read(fd, base + filled, size - filled)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            filled += n
        }
        let raw = UnsafeRawBufferPointer(start: base, count: size)
        guard raw.starts(with: Self.magic) else { return nil }
        func u64(_ at: Int) -> UInt64 {
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        }
        let stored = RegistryFingerprint(
            size: u64(8), modifiedNanos: Int64(bitPattern: u64(16)),
            digest: RegistryDigest(high: u64(24), low: u64(32)))
        guard stored == fingerprint else { return nil }
        guard u64(40) == UInt64(size - Self.headerSize) else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: raw[Self.headerSize...])
        guard RegistryDigest(payload) == RegistryDigest(high: u64(48), low: u64(56)) else { return nil }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        return try? RegistryBinaryCodec.decode(payload) { offset in
            // Only pages wholly behind the decoder, which never reads back.
            let end = (Self.headerSize + offset) / page * page
            if end > 0 { madvise(base, end, MADV_DONTNEED) }
        }
    }

    /// Writes the cache atomically (temporary file, then rename). Failure only costs the
    /// next start a parse, so it is not reported.
    func store(_ snapshot: RegistrySnapshot, fingerprint: RegistryFingerprint) {
        // The residents' part is the table's own bytes, written as they are: the payload is never joined
        // into one buffer (a copy of 17 MB for 100,000 residents), nor the header with it.
        let (head, tail) = RegistryBinaryCodec.encodedParts(snapshot)
        snapshot.residents.withEncodedResidents { residents in
            head.withUnsafeBytes { h in
                tail.withUnsafeBytes { t in write(payload: [h, residents, t], fingerprint: fingerprint) }
            }
        }
    }

    private func write(payload parts: [UnsafeRawBufferPointer], fingerprint: RegistryFingerprint) {
        let payloadCount = parts.reduce(0) { $0 + $1.count }
        let payloadDigest = RegistryDigest(parts: parts)
        var header = Self.magic
        header.reserveCapacity(Self.headerSize)
        for v in [
            fingerprint.size, UInt64(bitPattern: fingerprint.modifiedNanos), fingerprint.digest.high,
            fingerprint.digest.low, UInt64(payloadCount), payloadDigest.high, payloadDigest.low,
        ] {
            withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) }
        }

        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // One name: a write cut off by the process ending is overwritten by the next.
        let temporary = filePath + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let written = header.withUnsafeBytes { h in ([h] + parts).allSatisfy { Self.writeAll(fd, $0) } }
        let synced = fsync(fd) == 0
        close(fd)
        if written && synced && rename(temporary, filePath) == 0 { return }
        unlink(temporary)
    }

    private static func writeAll(_ fd: Int32, _ buf: UnsafeRawBufferPointer) -> Bool {
        var off = 0
        while off < buf.count {
            let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            off += n
        }
        return true
    }
}
