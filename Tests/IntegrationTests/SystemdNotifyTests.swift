import AnxinTesting
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The gateway speaks sd_notify to a real datagram socket, as systemd's would be.
final class SystemdNotifyTests: XCTestCase {
    /// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
    final class NotifySocket {
        let path: String
        let fd: Int32

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in path.utf8.enumerated() { raw[i] = b }
            }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard rc == 0 else { throw POSIXError(.EADDRINUSE) }
        }

        /// Every datagram received within `timeout` seconds or until `until` matches.
        func read(timeout: Double, until: (String) -> Bool) -> [String] {
            var out: [String] = []
            let deadline = Date().addingTimeInterval(timeout)
            var buf = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 50) > 0 else { continue }
                let n = recv(fd, &buf, buf.count, 0)
                if n > 0 {
                    let msg = String(decoding: buf[0..<n], as: UTF8.self)
                    out.append(msg)
                    if until(msg) { break }
                }
            }
            return out
        }

        deinit {
            close(fd)
            unlink(path)
        }
    }

    func testReadyOnlyWhenServingThenWatchdogReloadAndStopping() async throws {
        let h = try await GatewayHarness()
        let sock = try NotifySocket(path: h.dir.path + "/notify.sock")
        try h.gateway.start(environment: ["NOTIFY_SOCKET": sock.path, "WATCHDOG_USEC": "400000"])
        let ready = sock.read(timeout: 60) { $0.contains("READY=1") }
        XCTAssertTrue(ready.contains { $0.contains("READY=1") }, "READY=1 sent: \(ready)")
        // By READY the API answers and the broker subscription is in place.
        let (status, _) = try await HTTP.get("http://127.0.0.1:\(h.httpPort)/healthz")
        XCTAssertEqual(status, 200)
        // Its own threads carry their names where `top -H` and `ps -L` look.
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(h.gateway.pid)/task")) ?? []
        let names = Set(
            tasks.compactMap {
                try? String(contentsOfFile: "/proc/\(h.gateway.pid)/task/\($0)/comm", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            })
        XCTAssertTrue(names.isSuperset(of: ["anxin-pipeline", "anxin-ingest", "anxin-fold"]), "\(names)")
        let pings = sock.read(timeout: 2) { _ in false }.filter { $0 == "WATCHDOG=1" }
        XCTAssertGreaterThanOrEqual(pings.count, 3, "pings every WATCHDOG_USEC/2 while the pipeline moves")
        h.gateway.signal(SIGHUP)
        let reload = sock.read(timeout: 10) { $0.hasPrefix("READY=1") }
        XCTAssertTrue(reload.contains { $0.hasPrefix("RELOADING=1") && $0.contains("MONOTONIC_USEC=") }, "\(reload)")
        XCTAssertTrue(reload.contains { $0.hasPrefix("READY=1") }, "\(reload)")
        h.gateway.signal(SIGTERM)
        let stopping = sock.read(timeout: 20) { $0.hasPrefix("STOPPING=1") }
        XCTAssertTrue(stopping.contains { $0.hasPrefix("STOPPING=1") }, "\(stopping)")
        XCTAssertEqual(h.gateway.waitExit(timeout: 20), 0)
        await h.shutdown()
    }
}
