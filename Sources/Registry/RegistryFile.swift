import AnxinCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reading a registry file's bytes, with the error a caller can act on.
enum RegistryFile {
    /// The file's bytes, read a piece at a time into one array sized from the start (no `Data` and
    /// second copy of a large file).
    static func read(path: String) throws(RegistryLoadError) -> [UInt8] {
        var bytes: [UInt8] = []
        let read = readPieces(path: path) { status in
            bytes.reserveCapacity(Int(status.st_size))
        } piece: { piece, _ in
            bytes.append(contentsOf: piece)
        }
        guard read else {
            throw RegistryLoadError(diagnostics: [
                RegistryDiagnostic(path: path, line: 0, message: "cannot read the file (missing or not permitted)")
            ])
        }
        return bytes
    }

    /// Reads the regular file at `path` in pieces of `pieceSize` bytes (a multiple of 8), every
    /// piece whole but the last (which may be empty): `start` gets the file's status from `fstat`,
    /// then `piece` each piece and whether it is the last. False when it cannot be opened or read,
    /// or is not a regular file.
    static func readPieces(
        path: String, pieceSize: Int = 1 << 20, start: (stat) -> Void,
        piece: (UnsafeRawBufferPointer, _ isLast: Bool) -> Void
    ) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        start(st)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceSize, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            var filled = 0
            while filled < pieceSize {
                let n = Glibc.read(fd, buffer.baseAddress! + filled, pieceSize - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                if n == 0 { break }
                filled += n
            }
            piece(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]), filled < pieceSize)
            if filled < pieceSize { return true }
        }
    }
}
