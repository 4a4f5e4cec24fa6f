import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the real `anxin` binary as a child process for integration tests, with its
/// standard error captured to a file.
public final class GatewayProcess: @unchecked Sendable {
    public let binary: String
    public let arguments: [String]
    public let logPath: String
    public let httpPort: Int
    private var process: Process?

    /// The `anxin` binary built next to the tests (`.build/debug/anxin`), or `ANXIN_BINARY` when set
    /// (Scripts/soak.sh runs the tests against a release build).
    public static func builtBinary(file: StaticString = #filePath) -> String {
        if let given = ProcessInfo.processInfo.environment["ANXIN_BINARY"], !given.isEmpty,
            FileManager.default.isExecutableFile(atPath: given)
        {
            return given
        }
        var url = URL(fileURLWithPath: "\(file)")
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        for sub in [
            ".build/debug/anxin", ".build/x86_64-unknown-linux-gnu/debug/anxin",
            ".build/aarch64-unknown-linux-gnu/debug/anxin",
        ] {
            let p = url.appendingPathComponent(sub).path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return url.appendingPathComponent(".build/debug/anxin").path
    }

    /// The repository root, found from this file's path.
    public static func repositoryRoot(file: StaticString = #filePath) -> URL {
        var url = URL(fileURLWithPath: "\(file)")
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return url
    }

    public init(binary: String = GatewayProcess.builtBinary(), arguments: [String], logPath: String, httpPort: Int) {
        self.binary = binary
        self.arguments = arguments
        self.logPath = logPath
        self.httpPort = httpPort
    }

    public func start(environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        h.seekToEndOfFile()
        p.standardError = h
        p.standardOutput = h
        try p.run()
        process = p
    }

    public var pid: Int32 { process?.processIdentifier ?? 0 }
    public var isRunning: Bool { process?.isRunning ?? false }

    public func signal(_ sig: Int32) { if let p = process { kill(p.processIdentifier, sig) } }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    public func stop(timeout: TimeInterval = 20) -> Int32 {
        guard let p = process else { return -1 }
        if p.isRunning { kill(p.processIdentifier, SIGTERM) }
        return waitExit(timeout: timeout)
    }

    /// A gateway a failed test never stopped does not outlive it (it would keep its files, ports and CPU).
    deinit {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL) }
    }

    /// SIGKILL, no chance to commit.
    public func kill9() {
        guard let p = process, p.isRunning else { return }
        kill(p.processIdentifier, SIGKILL)
        _ = waitExit(timeout: 10)
    }

    public func waitExit(timeout: TimeInterval) -> Int32 {
        guard let p = process else { return -1 }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        return p.terminationStatus
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until `/healthz` answers 200.
    public func waitHealthy(timeout: TimeInterval = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let (status, _) = try? await HTTP.get("http://127.0.0.1:\(httpPort)/healthz"), status == 200 {
                return true
            }
            if !isRunning { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

/// Minimal HTTP calls for tests (URLSession over loopback).
public enum HTTP {
    public static func get(_ url: String) async throws -> (Int, Data) {
        try await send(URLRequest(url: URL(string: url)!))
    }

    public static func post(_ url: String, json: String) async throws -> (Int, Data) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = "POST"
        r.httpBody = Data(json.utf8)
        r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        return try await send(r)
    }

    /// Any method, with headers (`Authorization`, `Cookie`, …); answers status, body and headers.
    public static func request(
        _ method: String, _ url: String, json: String? = nil, headers: [String: String] = [:]
    ) async throws -> (status: Int, body: Data, headers: [String: String]) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        r.timeoutInterval = 10
        if let json {
            r.httpBody = Data(json.utf8)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, resp) = try await URLSession.shared.data(for: r)
        let http = resp as? HTTPURLResponse
        var out: [String: String] = [:]
        for (k, v) in http?.allHeaderFields ?? [:] { out[String(describing: k).lowercased()] = String(describing: v) }
        return (http?.statusCode ?? 0, data, out)
    }

    static func send(_ request: URLRequest) async throws -> (Int, Data) {
        var request = request
        request.timeoutInterval = 10
        let (data, resp) = try await URLSession.shared.data(for: request)
        return ((resp as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}

/// A free TCP port on 127.0.0.1 for a listener a test starts later (bound and released).
///
/// Taken below the kernel's range of ephemeral ports (`ip_local_port_range`): a port the kernel hands out
/// for `bind(0)` comes from that range, and so does the source port of every outgoing connection, so one
/// of the many connections a test opens (publishers, the gateway's own clients) could take it before the
/// listener binds it. CI once saw a gateway fail to start with "Address already in use" that way.
public func freeLoopbackPort() -> Int {
    let ephemeralLow =
        (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
        .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first }
        .flatMap { Int($0) } ?? 32_768
    if ephemeralLow > 12_000 {
        for _ in 0..<200 {
            let port = Int.random(in: 10_000..<ephemeralLow)
            if bindsLoopback(port: port) { return port }
        }
    }
    return kernelChosenLoopbackPort()
}

/// Whether a listener could bind `port` on 127.0.0.1 now.
func bindsLoopback(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = UInt16(port).bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let len = socklen_t(MemoryLayout<sockaddr_in>.size)
    return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        == 0
}

/// A port the kernel chooses for `bind(0)` on 127.0.0.1 (from the ephemeral range).
func kernelChosenLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}
