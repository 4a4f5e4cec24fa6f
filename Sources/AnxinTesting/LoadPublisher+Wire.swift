import Foundation

/// The few MQTT 3.1.1 packets `LoadPublisher` speaks, over a plain non-blocking TCP socket.
///
/// Written by hand (not through libmosquitto) so the publisher sees every PUBACK with its own clock and keeps
/// its unacknowledged messages itself across broker restarts; AnxinTesting links only Foundation.
struct LoadWire {
    /// A socket error or a broker that closed the connection.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// One packet read from the broker.
    enum Inbound {
        case connack(sessionPresent: Bool, returnCode: UInt8)
        case puback(packetID: UInt16)
        case other(type: UInt8)
    }

    private(set) var descriptor: Int32 = -1
    private var incoming: [UInt8] = []
    private var outgoing: [UInt8] = []
    private var outgoingOffset = 0

    var isOpen: Bool { descriptor >= 0 }
    /// Bytes queued but not yet written to the socket.
    var pendingBytes: Int { outgoing.count - outgoingOffset }

    /// Opens a TCP connection to `host:port` (blocking connect, then non-blocking I/O).
    mutating func dial(host: String, port: Int) throws(Failure) {
        drop()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect() failed: errno \(code)")
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        descriptor = fd
    }

    /// Closes the socket and forgets buffered bytes (unacknowledged messages live in the publisher).
    mutating func drop() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        incoming.removeAll(keepingCapacity: true)
        outgoing.removeAll(keepingCapacity: true)
        outgoingOffset = 0
    }

    // MARK: - Packets out

    /// CONNECT, MQTT 3.1.1, clean session off: the broker keeps the session across reconnects.
    mutating func queueConnect(clientID: String, keepAliveSeconds: UInt16) {
        var body: [UInt8] = [0, 4]
        body += Array("MQTT".utf8)
        body += [4, 0x00, UInt8(keepAliveSeconds >> 8), UInt8(keepAliveSeconds & 0xFF)]
        Self.appendString(clientID, to: &body)
        queue(type: 0x10, body: body)
    }

    /// PUBLISH at QoS 1; `duplicate` marks a resend after a reconnect.
    mutating func queuePublish(topic: String, payload: [UInt8], packetID: UInt16, duplicate: Bool) {
        var body: [UInt8] = []
        body.reserveCapacity(topic.utf8.count + payload.count + 4)
        Self.appendString(topic, to: &body)
        body += [UInt8(packetID >> 8), UInt8(packetID & 0xFF)]
        body += payload
        queue(type: duplicate ? 0x3A : 0x32, body: body)
    }

    mutating func queuePing() { queue(type: 0xC0, body: []) }

    mutating func queueDisconnect() { queue(type: 0xE0, body: []) }

    private mutating func queue(type: UInt8, body: [UInt8]) {
        outgoing.append(type)
        var length = body.count
        repeat {
            var byte = UInt8(length % 128)
            length /= 128
            if length > 0 { byte |= 0x80 }
            outgoing.append(byte)
        } while length > 0
        outgoing += body
    }

    private static func appendString(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = Array(text.utf8)
        bytes += [UInt8(utf8.count >> 8), UInt8(utf8.count & 0xFF)]
        bytes += utf8
    }

    // MARK: - Socket I/O

    /// Waits up to `timeoutMs` for the socket to become readable (or writable, when bytes are queued),
    /// then writes what it can and reads what is there.
    /// - Returns: the packets that arrived.
    mutating func service(timeoutMs: Int32) throws(Failure) -> [Inbound] {
        guard descriptor >= 0 else { throw Failure(description: "not connected") }
        var events = Int16(POLLIN)
        if pendingBytes > 0 { events |= Int16(POLLOUT) }
        var fds = [pollfd(fd: descriptor, events: events, revents: 0)]
        _ = poll(&fds, 1, timeoutMs)
        if pendingBytes > 0 { try writeOutgoing() }
        if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { try readIncoming() }
        return try parse()
    }

    private mutating func writeOutgoing() throws(Failure) {
        while outgoingOffset < outgoing.count {
            let written = outgoing.withUnsafeBytes {
                send(descriptor, $0.baseAddress! + outgoingOffset, outgoing.count - outgoingOffset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                outgoingOffset += written
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                break
            } else {
                throw Failure(description: "send() failed: errno \(errno)")
            }
        }
        if outgoingOffset == outgoing.count {
            outgoing.removeAll(keepingCapacity: true)
            outgoingOffset = 0
        } else if outgoingOffset > 1 << 20 {
            outgoing.removeFirst(outgoingOffset)
            outgoingOffset = 0
        }
    }

    private mutating func readIncoming() throws(Failure) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count > 0 {
                incoming += buffer[0..<count]
            } else if count == 0 {
                throw Failure(description: "the broker closed the connection")
            } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                return
            } else {
                throw Failure(description: "recv() failed: errno \(errno)")
            }
        }
    }

    private mutating func parse() throws(Failure) -> [Inbound] {
        var packets: [Inbound] = []
        var index = 0
        while index < incoming.count {
            var length = 0
            var multiplier = 1
            var cursor = index + 1
            var complete = false
            while cursor < incoming.count {
                let byte = incoming[cursor]
                length += Int(byte & 0x7F) * multiplier
                multiplier *= 128
                cursor += 1
                if byte & 0x80 == 0 {
                    complete = true
                    break
                }
                if multiplier > 128 * 128 * 128 { throw Failure(description: "malformed remaining length") }
            }
            guard complete, cursor + length <= incoming.count else { break }
            let type = incoming[index] >> 4
            let body = incoming[cursor..<(cursor + length)]
            switch type {
            case 2 where length >= 2:
                packets.append(
                    .connack(sessionPresent: body[body.startIndex] & 1 == 1, returnCode: body[body.startIndex + 1]))
            case 4 where length >= 2:
                packets.append(
                    .puback(packetID: UInt16(body[body.startIndex]) << 8 | UInt16(body[body.startIndex + 1])))
            default:
                packets.append(.other(type: type))
            }
            index = cursor + length
        }
        if index > 0 { incoming.removeFirst(index) }
        return packets
    }
}
