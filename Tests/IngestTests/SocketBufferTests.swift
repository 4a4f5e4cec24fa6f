import CSocketBuffer
import Foundation
import XCTest

/// The MQTT loop thread's socket is read and written through buffers (socket_buffer.c): libmosquitto's
/// reads of a byte or two at a time are served from one kernel read, byte for byte as the kernel would;
/// its writes are held until the thread flushes them, in order, and a full socket answers as the kernel
/// would. No other descriptor or thread is ever served from them or written into them.
final class SocketBufferTests: XCTestCase {
    private func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return (fds[0], fds[1])
    }

    /// A socket pair whose first end this thread has attached: detached and both ends closed when the test
    /// ends (for tests that close neither end themselves).
    private func attachedPair() throws -> (Int32, Int32) {
        let (a, b) = try socketPair()
        addTeardownBlock {
            anxin_socket_buffer_attach(-1)
            close(a)
            close(b)
        }
        anxin_socket_buffer_attach(a)
        return (a, b)
    }

    private func readBytes(_ fd: Int32, _ count: Int) -> (Int, [UInt8], Int32) {
        var buf = [UInt8](repeating: 0, count: count)
        errno = 0
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
        return (n, Array(buf.prefix(max(0, n))), errno)
    }

    func testSmallReadsAreServedFromOneKernelReadInOrder() throws {
        let (a, b) = try socketPair()
        // `b` is closed by the test itself, at its end.
        defer {
            anxin_socket_buffer_attach(-1)
            close(a)
        }
        anxin_socket_buffer_attach(a)
        let sent = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        XCTAssertEqual(sent.withUnsafeBytes { write(b, $0.baseAddress, sent.count) }, 300)
        let kernelBefore = anxin_read_buffer_kernel_reads()
        let readsBefore = anxin_read_buffer_reads()
        var got: [UInt8] = []
        for size in [1, 1, 2, 100, 1, 195] {
            let (n, bytes, _) = readBytes(a, size)
            XCTAssertEqual(n, size)
            got += bytes
            if got.count == 1 { XCTAssertEqual(anxin_read_buffer_pending(), 299) }
        }
        XCTAssertEqual(got, sent)
        XCTAssertEqual(anxin_read_buffer_reads() - readsBefore, 6)
        XCTAssertEqual(anxin_read_buffer_kernel_reads() - kernelBefore, 1, "one kernel read for six")
        XCTAssertEqual(anxin_read_buffer_pending(), 0)

        // Empty: the kernel's answer, as it gives it (EAGAIN on a non-blocking socket).
        let (n, _, err) = readBytes(a, 1)
        XCTAssertEqual(n, -1)
        XCTAssertEqual(err, EAGAIN)

        // A read asking for less than what is buffered leaves the rest for the next; a short tail is
        // returned as it is, not waited for.
        XCTAssertEqual([UInt8](repeating: 9, count: 10).withUnsafeBytes { write(b, $0.baseAddress, 10) }, 10)
        XCTAssertEqual(readBytes(a, 4).0, 4)
        XCTAssertEqual(readBytes(a, 100).1, [UInt8](repeating: 9, count: 6))

        // The peer closing reads as the end of the stream.
        close(b)
        XCTAssertEqual(readBytes(a, 8).0, 0)
    }

    func testOtherDescriptorsAndOtherThreadsGoStraightToTheKernel() throws {
        let (a, b) = try socketPair()
        let (c, d) = try socketPair()
        defer {
            anxin_socket_buffer_attach(-1)
            for fd in [a, b, c, d] { close(fd) }
        }
        anxin_socket_buffer_attach(a)
        XCTAssertEqual([UInt8]([1, 2, 3, 4]).withUnsafeBytes { write(b, $0.baseAddress, 4) }, 4)
        XCTAssertEqual([UInt8]([5, 6]).withUnsafeBytes { write(d, $0.baseAddress, 2) }, 2)
        let before = anxin_read_buffer_reads()
        XCTAssertEqual(readBytes(c, 1).1, [5], "another descriptor")
        XCTAssertEqual(anxin_read_buffer_reads(), before)
        XCTAssertEqual(readBytes(a, 1).1, [1])
        XCTAssertEqual(anxin_read_buffer_pending(), 3)

        // Another thread reading the attached descriptor's number is not served from this thread's
        // buffer: the kernel has nothing more for it.
        final class Box: @unchecked Sendable { var result: (Int, Int32) = (0, 0) }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            var byte: UInt8 = 0
            errno = 0
            let n = read(a, &byte, 1)
            box.result = (n, errno)
            done.signal()
        }.start()
        XCTAssertEqual(done.wait(timeout: .now() + .seconds(10)), .success)
        XCTAssertEqual(box.result.0, -1)
        XCTAssertEqual(box.result.1, EAGAIN)
        XCTAssertEqual(readBytes(a, 3).1, [2, 3, 4])

        // Detached, nothing is buffered any more and reads go to the kernel.
        anxin_socket_buffer_attach(-1)
        XCTAssertEqual(anxin_read_buffer_pending(), 0)
        XCTAssertEqual([UInt8]([7]).withUnsafeBytes { write(b, $0.baseAddress, 1) }, 1)
        let kernelBefore = anxin_read_buffer_kernel_reads()
        XCTAssertEqual(readBytes(a, 1).1, [7])
        XCTAssertEqual(anxin_read_buffer_kernel_reads(), kernelBefore)
    }

    private func writeBytes(_ fd: Int32, _ bytes: [UInt8]) -> (Int, Int32) {
        errno = 0
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, bytes.count) }
        return (n, errno)
    }

    func testWritesAreHeldUntilFlushedThenSentInOrderByOneKernelWrite() throws {
        let (a, b) = try attachedPair()
        let (writesBefore, kernelBefore) = (anxin_write_buffer_writes(), anxin_write_buffer_kernel_writes())
        var sent: [UInt8] = []
        for i in 0..<100 {
            let ack: [UInt8] = [0x40, 0x02, UInt8(i >> 8), UInt8(i & 0xFF)]
            XCTAssertEqual(writeBytes(a, ack).0, 4)
            sent += ack
        }
        XCTAssertEqual(anxin_write_buffer_held(), 400)
        XCTAssertEqual(readBytes(b, 1000).2, EAGAIN, "nothing reaches the peer before the flush")
        XCTAssertEqual(anxin_write_buffer_flush(), 0)
        XCTAssertEqual(anxin_write_buffer_held(), 0)
        XCTAssertEqual(readBytes(b, 1000).1, sent)
        XCTAssertEqual(anxin_write_buffer_writes() - writesBefore, 100)
        XCTAssertEqual(anxin_write_buffer_kernel_writes() - kernelBefore, 1, "one kernel write for a hundred")
        XCTAssertEqual(anxin_write_buffer_flush(), 0, "nothing held: nothing to do")
        XCTAssertEqual(anxin_write_buffer_kernel_writes() - kernelBefore, 1)

        // A write larger than the buffer, with nothing held, goes straight to the kernel.
        let big = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let (n, _) = writeBytes(a, big)
        XCTAssertGreaterThan(n, 0)
        XCTAssertEqual(anxin_write_buffer_held(), 0)
        var got: [UInt8] = []
        while got.count < n {
            let (m, bytes, err) = readBytes(b, 100_000)
            if m <= 0 {
                XCTAssertEqual(err, EAGAIN)
                break
            }
            got += bytes
        }
        XCTAssertEqual(got, Array(big.prefix(n)))
    }

    /// When the kernel's buffer fills, what it does not take stays held, in order; the buffer full too,
    /// a write is told what a full socket tells (a short count, then EAGAIN), and nothing is lost.
    func testAFullSocketKeepsTheRestHeldAndAnswersAsTheKernelWould() throws {
        let (a, b) = try attachedPair()
        var small: Int32 = 4096
        XCTAssertEqual(setsockopt(a, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size)), 0)
        var accepted: [UInt8] = []
        var refused = false
        var i = 0
        while accepted.count < 2_000_000 {
            let chunk = (0..<1000).map { UInt8(truncatingIfNeeded: i &+ $0 &* 7) }
            i += 1
            let (n, err) = writeBytes(a, chunk)
            if n < 0 {
                XCTAssertEqual(err, EAGAIN)
                refused = true
                break
            }
            accepted += chunk.prefix(n)
        }
        XCTAssertTrue(refused, "a full socket and a full buffer refuse a write")
        XCTAssertGreaterThan(anxin_write_buffer_held(), 0)
        errno = 0
        XCTAssertEqual(anxin_write_buffer_flush(), -1)
        XCTAssertEqual(errno, EAGAIN)

        // The peer reads; flushing again sends the rest, and the stream is whole and in order.
        var got: [UInt8] = []
        let deadline = Date().addingTimeInterval(10)
        while got.count < accepted.count && Date() < deadline {
            let (n, bytes, _) = readBytes(b, 65_536)
            if n > 0 { got += bytes }
            _ = anxin_write_buffer_flush()
        }
        XCTAssertEqual(anxin_write_buffer_held(), 0)
        XCTAssertEqual(got.count, accepted.count)
        XCTAssertTrue(got == accepted, "every byte accepted arrives, in order")
    }

    /// libmosquitto closes the socket right after writing a DISCONNECT: what is held goes out first, and
    /// the thread is detached, so a new descriptor given the same number is written straight through.
    func testClosingTheAttachedSocketSendsWhatIsHeldFirst() throws {
        let (a, b) = try socketPair()
        defer {
            anxin_socket_buffer_attach(-1)
            close(b)
        }
        anxin_socket_buffer_attach(a)
        XCTAssertEqual(writeBytes(a, [0xE0, 0x00]).0, 2)
        XCTAssertEqual(anxin_write_buffer_held(), 2)
        XCTAssertEqual(close(a), 0)
        XCTAssertEqual(anxin_write_buffer_held(), 0)
        XCTAssertEqual(readBytes(b, 10).1, [0xE0, 0x00])
        XCTAssertEqual(readBytes(b, 10).0, 0, "then the end of the stream")

        let (c, d) = try socketPair()
        defer {
            close(c)
            close(d)
        }
        let writesBefore = anxin_write_buffer_writes()
        for fd in [c, d] {
            XCTAssertEqual(writeBytes(fd, [7]).0, 1)
        }
        XCTAssertEqual(anxin_write_buffer_writes(), writesBefore, "not attached: straight to the kernel")
        XCTAssertEqual(readBytes(d, 1).1, [7])
        XCTAssertEqual(readBytes(c, 1).1, [7])
    }

    /// A reset connection drops what is held (it can never arrive) and reports the error, with no SIGPIPE;
    /// another thread writing the attached number goes straight to the kernel.
    func testABrokenConnectionDropsWhatIsHeldAndOtherThreadsWriteStraightThrough() throws {
        let (a, b) = try socketPair()
        defer {
            anxin_socket_buffer_attach(-1)
            close(a)
        }
        anxin_socket_buffer_attach(a)
        XCTAssertEqual(writeBytes(a, [1, 2, 3]).0, 3)

        final class Box: @unchecked Sendable { var result = 0 }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            var byte: UInt8 = 9
            box.result = write(a, &byte, 1)
            done.signal()
        }.start()
        XCTAssertEqual(done.wait(timeout: .now() + .seconds(10)), .success)
        XCTAssertEqual(box.result, 1)
        XCTAssertEqual(readBytes(b, 10).1, [9], "the other thread's byte went straight out")
        XCTAssertEqual(anxin_write_buffer_held(), 3)

        close(b)
        errno = 0
        XCTAssertEqual(anxin_write_buffer_flush(), -1)
        XCTAssertTrue([EPIPE, ECONNRESET].contains(errno), "errno \(errno)")
        XCTAssertEqual(anxin_write_buffer_held(), 0)
    }

    /// The wake-up pair learned while a client is made is muted: its one-byte writes return at once and
    /// never reach the pair; closing it unmutes the number, so a new descriptor given it is written as usual.
    func testTheWatchedWakePairIsMutedUntilItIsClosed() throws {
        anxin_wake_pair_watch(1)
        let (r, w) = try socketPair()
        anxin_wake_pair_watch(0)
        XCTAssertEqual(anxin_wake_pair_watched(), w, "the writing end of the pair made while watching")
        let (c, d) = try socketPair()
        XCTAssertEqual(anxin_wake_pair_watched(), w, "pairs made after the watch are not taken")
        defer {
            close(c)
            close(d)
        }
        XCTAssertEqual(anxin_wake_pair_mute(w), 0)
        let before = anxin_wake_pair_muted_writes()
        for _ in 0..<3 { XCTAssertEqual(writeBytes(w, [0]).0, 1) }
        XCTAssertEqual(anxin_wake_pair_muted_writes() - before, 3)
        XCTAssertEqual(readBytes(r, 10).2, EAGAIN, "nothing reached the pair")
        XCTAssertEqual(writeBytes(w, [1, 2]).0, 2, "only one-byte writes are muted")
        XCTAssertEqual(readBytes(r, 10).1, [1, 2])
        XCTAssertEqual(writeBytes(c, [5]).0, 1, "another descriptor is written as usual")
        XCTAssertEqual(readBytes(d, 1).1, [5])

        close(w)
        close(r)
        let (e, f) = try socketPair()
        defer {
            close(e)
            close(f)
        }
        for fd in [e, f] {
            XCTAssertEqual(writeBytes(fd, [9]).0, 1)
        }
        XCTAssertEqual(readBytes(e, 1).1, [9], "\(w) reused or not, nothing is muted any more")
        XCTAssertEqual(readBytes(f, 1).1, [9])
        XCTAssertEqual(anxin_wake_pair_muted_writes() - before, 3)
    }
}
