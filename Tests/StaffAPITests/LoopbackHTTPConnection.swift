import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP client on 127.0.0.1 for reading a response as it streams (HummingbirdTesting's
/// clients wait for the whole body). Blocking reads run on a Dispatch thread, off the test's task.
final class LoopbackHTTPConnection: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    private let fd: Int32
    private var bytes: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect failed")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        let payload = Array(text.utf8)
        let sent = payload.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == payload.count else { throw Failure(description: "send failed") }
    }

    /// Reads until the text received so far contains `marker` (10 s at most); returns all of it.
    func read(until marker: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.blockingRead(until: marker) })
            }
        }
    }

    /// Reads until the peer closes the connection; returns everything received.
    func readToEnd() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.blockingRead(until: nil) })
            }
        }
    }

    private func blockingRead(until marker: String?) throws -> String {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            if let marker, String(decoding: bytes, as: UTF8.self).contains(marker) { break }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 {
                if marker == nil { break }
                throw Failure(description: "connection closed before the marker arrived")
            }
            guard n > 0 else { throw Failure(description: "read timed out") }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
