import AnxinCore
import Foundation

/// A real mosquitto broker on a free loopback port, for tests.
///
/// Writes a generated config (and a password file when `users` is given) into its own temp folder,
/// starts `mosquitto -c`, and returns once the port accepts connections. `stop(.terminate)` lets it save its
/// persistence file (sessions and queued messages survive `start()` again on the same port);
/// `stop(.kill)` loses what was not autosaved. With `tls: true` the listener speaks only TLS and demands a client
/// certificate: a throwaway CA, server and client certificate are made with `openssl` in the temp folder (see
/// `tlsFiles`), and `publish` uses them. Uses only Foundation so any test target can link it.
public final class TestBroker: @unchecked Sendable {
    /// How to end the broker process.
    public enum Stop: Sendable {
        /// SIGTERM: clean shutdown, persistence saved.
        case terminate
        /// SIGKILL: a crash.
        case kill
    }

    /// The certificates of a TLS listener, all in `directory/tls`.
    public struct TLSFiles: Sendable {
        /// The CA that signed the broker's certificate and every accepted client certificate.
        public let authority: TestCertificateAuthority
        /// The broker's certificate (common name and IP address `127.0.0.1`).
        public let server: TestCertificateAuthority.Identity
        /// A client certificate the broker accepts; `publish` presents it.
        public let client: TestCertificateAuthority.Identity
        /// Where to put more certificates (another CA, more clients).
        public let directory: URL
    }

    /// How often the broker saves its in-memory state (sessions, subscriptions, queued messages) to its
    /// persistence file. A SIGTERM always saves in full; a SIGKILL loses what changed since the last save.
    public struct Persistence: Sendable, Hashable {
        /// `autosave_interval`: seconds between saves (with `autosaveOnChanges` false).
        public var autosaveIntervalSeconds: Int
        /// `autosave_on_changes`: count `autosave_interval` in changes instead of seconds.
        public var autosaveOnChanges: Bool

        public init(autosaveIntervalSeconds: Int, autosaveOnChanges: Bool = false) {
            self.autosaveIntervalSeconds = autosaveIntervalSeconds
            self.autosaveOnChanges = autosaveOnChanges
        }

        /// What tests use by default: a save every second.
        public static let tests = Persistence(autosaveIntervalSeconds: 1)
        /// As the shipped `Config/mosquitto.conf`: a save every 60 s, not counted in changes.
        public static let shipped = Persistence(autosaveIntervalSeconds: 60)
    }

    /// What went wrong while running the broker or its tools; says what to look at next.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let host = "127.0.0.1"
    public let port: Int
    /// The broker's temp folder: config, password file, persistence, log.
    public let directory: URL
    public let configFile: URL
    public var logFile: URL { directory.appendingPathComponent("mosquitto.log") }
    /// The listener's certificates when started with `tls: true`, else `nil`.
    public let tlsFiles: TLSFiles?

    private let lock = NSLock()
    private var process: Process?

    /// Writes the config and starts the broker.
    /// - Parameters:
    ///   - users: name → password; when non-empty anonymous clients are refused.
    ///   - maxQueuedMessages: per-client queue (mosquitto's default of 1000 would drop in flood tests).
    ///   - extraConfig: more config lines, appended verbatim.
    ///   - tls: TLS only on the listener, with `require_certificate true` and `use_identity_as_username false`
    ///     (the login still needs `users`' passwords).
    ///   - acl: lines of an `acl_file` (`user`, `topic`, `pattern` with `%u` / `%c`); empty means no ACL file.
    ///   - persistence: how often the broker saves its state (persistence itself is always on).
    public init(
        users: [String: String] = [:], maxQueuedMessages: Int = 1_000_000, extraConfig: [String] = [],
        tls: Bool = false, acl: [String] = [], persistence: Persistence = .tests
    ) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("anxin-broker-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configFile = directory.appendingPathComponent("mosquitto.conf")
        port = try Self.freeLoopbackPort()
        tlsFiles = tls ? try Self.makeCertificates(in: directory.appendingPathComponent("tls", isDirectory: true)) : nil

        var lines = [
            "listener \(port) 127.0.0.1",
            "persistence true",
            "persistence_location \(directory.path)/",
            "autosave_interval \(persistence.autosaveIntervalSeconds)",
            "autosave_on_changes \(persistence.autosaveOnChanges)",
            "max_queued_messages \(maxQueuedMessages)",
            "max_inflight_messages 100",
            "log_dest file \(logFile.path)",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
        ]
        if let files = tlsFiles {
            lines += [
                "cafile \(files.authority.root.certificateFile.path)",
                "certfile \(files.server.certificateFile.path)",
                "keyfile \(files.server.keyFile.path)",
                "require_certificate true",
                "use_identity_as_username false",
            ]
        }
        if !acl.isEmpty {
            let aclFile = directory.appendingPathComponent("acl")
            try (acl.joined(separator: "\n") + "\n").write(to: aclFile, atomically: true, encoding: .utf8)
            lines.append("acl_file \(aclFile.path)")
        }
        if geteuid() == 0 { lines.insert("user root", at: 0) }  // otherwise mosquitto drops to "mosquitto"
        if users.isEmpty {
            lines.append("allow_anonymous true")
        } else {
            let passwordFile = directory.appendingPathComponent("passwords")
            for (index, (name, password)) in users.sorted(by: { $0.key < $1.key }).enumerated() {
                var arguments = ["-b", passwordFile.path, name, password]
                if index == 0 { arguments.insert("-c", at: 0) }
                try Self.run(Self.tool("mosquitto_passwd"), arguments)
            }
            lines.append("allow_anonymous false")
            lines.append("password_file \(passwordFile.path)")
        }
        lines.append(contentsOf: extraConfig)
        try (lines.joined(separator: "\n") + "\n").write(to: configFile, atomically: true, encoding: .utf8)
        try start()
    }

    deinit {
        try? stop(.kill)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether the broker process is alive.
    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Starts the broker (again, on the same port) and waits until it accepts TCP connections.
    public func start(timeout: TimeInterval = 10) throws {
        try lock.withLock {
            if process?.isRunning == true { return }
            let p = Process()
            p.executableURL = try Self.tool("mosquitto")
            p.arguments = ["-c", configFile.path]
            let stderrFile = directory.appendingPathComponent("stderr.log")
            _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
            let handle = try FileHandle(forWritingTo: stderrFile)
            p.standardOutput = handle
            p.standardError = handle
            try Self.withSignalsUnblocked { try p.run() }
            try? handle.close()
            process = p
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while !Self.acceptsConnections(port: port) {
            if !isRunning {
                throw Failure(description: "mosquitto exited at start: \(logTail())")
            }
            if Date() > deadline {
                throw Failure(description: "mosquitto did not accept connections on port \(port) in \(timeout) s")
            }
            usleep(10_000)  // readiness poll, bounded by the deadline
        }
    }

    /// Ends the broker with SIGTERM (clean, persistence saved) or SIGKILL, and waits for it to exit.
    public func stop(_ how: Stop = .terminate, timeout: TimeInterval = 10) throws {
        guard let p = lock.withLock({ process }) else { return }
        if p.isRunning {
            kill(p.processIdentifier, how == .terminate ? SIGTERM : SIGKILL)
            let deadline = Date(timeIntervalSinceNow: timeout)
            while p.isRunning {
                if Date() > deadline {
                    kill(p.processIdentifier, SIGKILL)
                    p.waitUntilExit()
                    throw Failure(description: "mosquitto ignored SIGTERM for \(timeout) s and was killed")
                }
                usleep(5_000)
            }
        }
        lock.withLock { process = nil }
    }

    /// `stop(how)` then `start()`, on the same port with the same persistence folder.
    public func restart(_ how: Stop = .terminate) throws {
        try stop(how)
        try start()
    }

    /// Rewrites the config's autosave settings; a running broker is restarted with SIGTERM (saving its state
    /// in full) so they take effect at once.
    public func usePersistence(_ persistence: Persistence) throws {
        let text = try String(contentsOf: configFile, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("autosave_interval ") {
                return "autosave_interval \(persistence.autosaveIntervalSeconds)"
            }
            if line.hasPrefix("autosave_on_changes ") {
                return "autosave_on_changes \(persistence.autosaveOnChanges)"
            }
            return String(line)
        }
        try lines.joined(separator: "\n").write(to: configFile, atomically: true, encoding: .utf8)
        if isRunning { try restart(.terminate) }
    }

    /// The broker's log so far (connections, refusals, errors).
    public func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    // MARK: - Publishing through the mosquitto_pub CLI

    /// Publishes one message with `mosquitto_pub`; the payload goes byte for byte through stdin.
    public func publish(
        topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false, username: String? = nil,
        password: String? = nil
    ) throws {
        var arguments = connectionArguments(username: username, password: password)
        arguments += ["-t", topic, "-q", String(qos), "-s"]
        if retain { arguments.append("-r") }
        try Self.run(Self.tool("mosquitto_pub"), arguments, stdin: Data(payload))
    }

    /// Publishes one message per line (text payloads, in order) over a single `mosquitto_pub` connection.
    public func publish(
        topic: String, lines: [String], qos: Int = 1, username: String? = nil, password: String? = nil
    ) throws {
        var arguments = connectionArguments(username: username, password: password)
        arguments += ["-t", topic, "-q", String(qos), "-l"]
        try Self.run(Self.tool("mosquitto_pub"), arguments, stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func connectionArguments(username: String?, password: String?) -> [String] {
        var arguments = ["-h", host, "-p", String(port), "-V", "mqttv5"]
        if let username { arguments += ["-u", username] }
        if let password { arguments += ["-P", password] }
        if let tlsFiles {
            arguments += [
                "--cafile", tlsFiles.authority.root.certificateFile.path,
                "--cert", tlsFiles.client.certificateFile.path, "--key", tlsFiles.client.keyFile.path,
            ]
        }
        return arguments
    }

    private func logTail() -> String {
        let stderrText =
            (try? String(contentsOf: directory.appendingPathComponent("stderr.log"), encoding: .utf8)) ?? ""
        return String((stderrText + log()).suffix(2000))
    }

    // MARK: - Helpers

    /// A throwaway CA, the broker's certificate for 127.0.0.1 and one client certificate.
    private static func makeCertificates(in folder: URL) throws -> TLSFiles {
        let authority = try TestCertificateAuthority(name: "Anxin Test CA", in: folder)
        return TLSFiles(
            authority: authority, server: try authority.issue(commonName: "127.0.0.1", for: .server(host: "127.0.0.1")),
            client: try authority.issue(commonName: "test-publisher", for: .client), directory: folder)
    }

    /// Runs `body` (a spawn) with no signal blocked on this thread, so the child starts with an empty mask.
    ///
    /// A child inherits the spawning thread's blocked signals, and libdispatch's worker threads (where async
    /// tests run) block SIGTERM, SIGINT, SIGHUP and more. mosquitto restores the mask it started with around
    /// each wait, so it would never take SIGTERM: `stop(.terminate)` would time out and fall back to SIGKILL.
    static func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    /// Finds a mosquitto tool in the usual places.
    static func tool(_ name: String) throws -> URL {
        let folders = [
            "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/opt/homebrew/sbin",
            "/opt/homebrew/bin",
        ]
        for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return URL(fileURLWithPath: "\(folder)/\(name)")
        }
        throw Failure(description: "\(name) not found; install the mosquitto and mosquitto-clients packages")
    }

    /// Runs a tool to completion; throws with its output when it exits non-zero.
    static func run(_ executable: URL, _ arguments: [String], stdin: Data? = nil) throws {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("anxin-tool-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let outputHandle = try FileHandle(forWritingTo: output)
        defer { try? outputHandle.close() }
        p.standardOutput = outputHandle
        p.standardError = outputHandle
        let input = Pipe()
        if stdin != nil { p.standardInput = input } else { p.standardInput = FileHandle.nullDevice }
        try p.run()
        if let stdin {
            try input.fileHandleForWriting.write(contentsOf: stdin)
            try input.fileHandleForWriting.close()
        }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw Failure(
                description: "\(executable.lastPathComponent) exited with \(p.terminationStatus): "
                    + text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// A loopback port nobody listens on right now, outside the ephemeral range (see
    /// ``AnxinTesting/freeLoopbackPort()``): the broker is stopped and started again on it, and while it is
    /// down the gateway's reconnects open connections from ephemeral ports.
    static func freeLoopbackPort() throws -> Int { AnxinTesting.freeLoopbackPort() }

    static func acceptsConnections(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopbackAddress(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
