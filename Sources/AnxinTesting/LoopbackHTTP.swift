import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-request-per-connection HTTP/1.1 client for servers on 127.0.0.1, on plain sockets.
///
/// It exists because chromedriver writes header lines without a space after the colon
/// (`Content-Length:249`), which URLSession on Linux rejects ("Failed writing header"). The
/// blocking socket work runs on a Dispatch worker, never on the Swift concurrency pool.
public enum LoopbackHTTP {
    /// A transport failure (the server's own error statuses are returned, not thrown).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Sends one request to `127.0.0.1:port` and returns the status and body.
    public static func send(
        port: Int, method: String, path: String, body: Data? = nil,
        contentType: String = "application/json; charset=utf-8", timeoutSeconds: Int = 120
    ) async throws -> (status: Int, body: Data) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let answer = try exchange(
                        port: port, method: method, path: path, body: body, contentType: contentType,
                        timeoutSeconds: timeoutSeconds)
                    continuation.resume(returning: answer)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    static func exchange(
        port: Int, method: String, path: String, body: Data?, contentType: String, timeoutSeconds: Int
    ) throws -> (status: Int, body: Data) {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket() failed, errno \(errno)") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let tvSize = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, tvSize)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, tvSize)
        #if canImport(Darwin)
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif

        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect to 127.0.0.1:\(port) failed, errno \(errno)") }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let body {
            head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        } else if method == "POST" || method == "PUT" {
            head += "Content-Length: 0\r\n"
        }
        head += "\r\n"
        var request = Data(head.utf8)
        if let body { request.append(body) }
        try writeAll(fd, request)
        return try readResponse(fd)
    }

    static func writeAll(_ fd: Int32, _ data: Data) throws {
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var sent = 0
            while sent < raw.count {
                let n = Foundation.send(fd, base + sent, raw.count - sent, flags)
                if n > 0 {
                    sent += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    throw Failure(description: "send failed, errno \(errno)")
                }
            }
        }
    }

    static func readResponse(_ fd: Int32) throws -> (status: Int, body: Data) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var headerEnd: Int?
        var status = 0
        var contentLength: Int?
        var chunked = false
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                received.append(contentsOf: buffer[0..<n])
            } else if n == 0 {
                break
            } else if errno == EINTR {
                continue
            } else {
                throw Failure(description: "recv failed, errno \(errno)")
            }
            if headerEnd == nil, let end = find([13, 10, 13, 10], in: received) {
                headerEnd = end + 4
                let head = String(decoding: received[0..<end], as: UTF8.self)
                (status, contentLength, chunked) = parseHead(head)
            }
            if let start = headerEnd, let length = contentLength, !chunked, received.count - start >= length {
                break
            }
        }
        guard let start = headerEnd, status > 0 else {
            throw Failure(description: "no HTTP response head")
        }
        var body = Array(received[start...])
        if let length = contentLength, !chunked, body.count > length { body = Array(body[0..<length]) }
        if chunked { body = try dechunk(body) }
        return (status, Data(body))
    }

    /// Status, Content-Length and whether the body is chunked; tolerant of `Name:value`.
    static func parseHead(_ head: String) -> (Int, Int?, Bool) {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        let status = statusParts.count > 1 ? Int(statusParts[1]) ?? 0 : 0
        var length: Int?
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding" && value.lowercased().contains("chunked") { chunked = true }
        }
        return (status, length, chunked)
    }

    static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let lineEnd = find([13, 10], in: bytes, from: i) else { break }
            let sizeText = String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw Failure(description: "bad chunk size")
            }
            if size == 0 { break }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { throw Failure(description: "truncated chunk") }
            out.append(contentsOf: bytes[start..<(start + size)])
            i = start + size + 2
        }
        return out
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int = 0) -> Int? {
        guard haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        var i = from
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}
