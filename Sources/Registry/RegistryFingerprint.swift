import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What identifies one version of a registry file: its size, modification time and a
/// 128-bit hash of its bytes. The hash alone decides; size and time make a mismatch
/// obvious in a hex dump and cost nothing.
struct RegistryFingerprint: Equatable {
    var size: UInt64
    var modifiedNanos: Int64
    var digest: RegistryDigest

    init(size: UInt64, modifiedNanos: Int64, digest: RegistryDigest) {
        self.size = size
        self.modifiedNanos = modifiedNanos
        self.digest = digest
    }

    /// The fingerprint of `bytes`, just read from `path`.
    init(bytes: [UInt8], path: String) {
        var st = stat()
        var nanos: Int64 = 0
        if stat(path, &st) == 0 {
            nanos = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        }
        self.init(size: UInt64(bytes.count), modifiedNanos: nanos, digest: RegistryDigest(bytes))
    }

    /// The fingerprint of the file at `path`, read a piece at a time so that an unchanged large
    /// registry is recognised without holding it in memory (31 MB for 100,000 residents). Nil when
    /// it cannot be read or changed size while being read.
    init?(streamingFile path: String) {
        var status = stat()
        var total = 0
        var running = RegistryDigest.Running(totalCount: 0)
        var digest: RegistryDigest?
        let read = RegistryFile.readPieces(path: path) { st in
            status = st
            running = RegistryDigest.Running(totalCount: Int(st.st_size))
        } piece: { piece, isLast in
            total += piece.count
            if isLast { digest = running.finish(last: piece) } else { running.add(piece) }
        }
        guard read, let digest, total == Int(status.st_size) else { return nil }
        let nanos = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        self.init(size: UInt64(total), modifiedNanos: nanos, digest: digest)
    }
}
