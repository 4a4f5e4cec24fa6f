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
    func snapshot(matching fingerprint: RegistryFingerprint) -> RegistrySnapshot? {
        guard let data = FileManager.default.contents(atPath: filePath) else { return nil }
        return data.withUnsafeBytes { raw -> RegistrySnapshot? in
            guard raw.count >= Self.headerSize, raw.starts(with: Self.magic) else { return nil }
            func u64(_ at: Int) -> UInt64 {
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            }
            let stored = RegistryFingerprint(
                size: u64(8), modifiedNanos: Int64(bitPattern: u64(16)),
                digest: RegistryDigest(high: u64(24), low: u64(32)))
            guard stored == fingerprint else { return nil }
            let length = u64(40)
            guard length == UInt64(raw.count - Self.headerSize) else { return nil }
            let payload = UnsafeRawBufferPointer(rebasing: raw[Self.headerSize...])
            guard RegistryDigest(payload) == RegistryDigest(high: u64(48), low: u64(56)) else { return nil }
            return try? RegistryBinaryCodec.decode(payload)
        }
    }

    /// Writes the cache atomically (temporary file, then rename). Failure only costs the
    /// next start a parse, so it is not reported.
    func store(_ snapshot: RegistrySnapshot, fingerprint: RegistryFingerprint) {
        let payload = RegistryBinaryCodec.encode(snapshot)
        let payloadDigest = RegistryDigest(payload)
        // The header and the payload are written one after the other, not copied into one buffer (18 MB
        // more at the peak of a first start with 100,000 residents).
        var header = Self.magic
        header.reserveCapacity(Self.headerSize)
        for v in [
            fingerprint.size, UInt64(bitPattern: fingerprint.modifiedNanos), fingerprint.digest.high,
            fingerprint.digest.low, UInt64(payload.count), payloadDigest.high, payloadDigest.low,
        ] {
            withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) }
        }

        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // One name: a write cut off by the process ending is overwritten by the next.
        let temporary = filePath + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let written = [header, payload].allSatisfy { part in
            part.withUnsafeBytes { buf -> Bool in
                var off = 0
                while off < buf.count {
                    let n = write(fd, buf.baseAddress! + off, buf.count - off)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return false
                    }
                    off += n
                }
                return true
            }
        }
        let synced = fsync(fd) == 0
        close(fd)
        if written && synced && rename(temporary, filePath) == 0 { return }
        unlink(temporary)
    }
}
