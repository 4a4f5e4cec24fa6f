import CReadBuffer
import Foundation
import XCTest

/// The MQTT loop thread's socket is read through a buffer (read_buffer.c): libmosquitto's reads of a
/// byte or two at a time are served from one kernel read, byte for byte as the kernel would, and no
/// other descriptor or thread is ever served from it.
final class ReadBufferTests: XCTestCase {
    private func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return (fds[0], fds[1])
    }

    private func readBytes(_ fd: Int32, _ count: Int) -> (Int, [UInt8], Int32) {
        var buf = [UInt8](repeating: 0, count: count)
        errno = 0
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
        return (n, Array(buf.prefix(max(0, n))), errno)
    }

    func testSmallReadsAreServedFromOneKernelReadInOrder() throws {
        let (a, b) = try socketPair()
        defer {
            anxin_read_buffer_attach(-1)
            close(a)
            close(b)
        }
        anxin_read_buffer_attach(a)
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
            anxin_read_buffer_attach(-1)
            for fd in [a, b, c, d] { close(fd) }
        }
        anxin_read_buffer_attach(a)
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
        anxin_read_buffer_attach(-1)
        XCTAssertEqual(anxin_read_buffer_pending(), 0)
        XCTAssertEqual([UInt8]([7]).withUnsafeBytes { write(b, $0.baseAddress, 1) }, 1)
        let kernelBefore = anxin_read_buffer_kernel_reads()
        XCTAssertEqual(readBytes(a, 1).1, [7])
        XCTAssertEqual(anxin_read_buffer_kernel_reads(), kernelBefore)
    }
}
