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
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let size = Int(st.st_size)
        var running = RegistryDigest.Running(totalCount: size)
        let piece = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: piece, alignment: 8)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            // Fill the buffer whole, so that every piece but the last is a multiple of 8 bytes.
            var filled = 0
            while filled < piece {
                let n = read(fd, buffer.baseAddress! + filled, piece - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    return nil
                }
                if n == 0 { break }
                filled += n
            }
            total += filled
            if filled < piece {
                guard total == size else { return nil }
                let digest = running.finish(last: UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
                let nanos = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
                self.init(size: UInt64(size), modifiedNanos: nanos, digest: digest)
                return
            }
            running.add(UnsafeRawBufferPointer(buffer))
        }
    }
}
