import AnxinCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reading a registry file's bytes, with the error a caller can act on.
enum RegistryFile {
    /// The file's bytes, read straight into the array (no second copy of a large file).
    static func read(path: String) throws(RegistryLoadError) -> [UInt8] {
        guard let bytes = readAll(path) else {
            throw RegistryLoadError(diagnostics: [
                RegistryDiagnostic(path: path, line: 0, message: "cannot read the file (missing or not permitted)")
            ])
        }
        return bytes
    }

    private static func readAll(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var bytes: [UInt8] = []
        var capacity = max(Int(st.st_size), 0) + 1  // one more, to see the end without a second call
        while true {
            var failed = false
            var ended = false
            bytes.reserveCapacity(capacity)
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: capacity - start))
            var filled = start
            bytes.withUnsafeMutableBytes { buffer in
                while filled < capacity {
                    let n = Glibc.read(fd, buffer.baseAddress! + filled, capacity - filled)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failed = true
                        return
                    }
                    if n == 0 {
                        ended = true
                        return
                    }
                    filled += n
                }
            }
            if failed { return nil }
            bytes.removeLast(bytes.count - filled)
            if ended { return bytes }
            capacity *= 2  // the file grew while being read
        }
    }
}
