import Foundation
import Synchronization

/// A headless Chromium for browser tests, driven over the W3C WebDriver protocol through a
/// `chromedriver` child process on a free loopback port (Debian packages chromium and
/// chromium-driver).
///
/// ```swift
/// let browser = try await WebDriver.start(.init(width: 1280, height: 900))
/// defer { Task { await browser.quit() } }   // or call quit() at the end of the test
/// try await browser.navigate(to: "http://127.0.0.1:\(port)/board/")
/// let card = try await browser.waitFor("[data-test=alert-card][data-alert-id='\(id)']", timeout: .seconds(1))
/// try await browser.click(try await browser.findElement("[data-alert-id='\(id)'] [data-test=ack]"))
/// ```
///
/// Every call is an HTTP request to chromedriver over `LoopbackHTTP`; none is retried. `quit()`
/// ends the browser session and always kills chromedriver; dropping the last reference kills it too.
public final class WebDriver: Sendable {
    /// How the browser is started.
    public struct Options: Sendable {
        /// Window size in CSS pixels; `start` adjusts the window so the page viewport has this size.
        public var width: Int
        public var height: Int
        /// Phone emulation (touch events, device pixel ratio); nil for a desktop window.
        public var mobile: MobileViewport?
        /// Browser UI and `Accept-Language` language.
        public var language: String
        /// Path of chromedriver; nil looks on `PATH` and in Debian's locations.
        public var chromedriver: String?
        /// Path of the Chromium binary; nil lets chromedriver find it.
        public var browserBinary: String?
        /// More Chromium switches, e.g. `--force-prefers-reduced-motion`.
        public var extraArguments: [String]
        /// Where chromedriver's own output goes (verbose: every command and answer); nil discards it.
        public var driverLogPath: String?
        /// How long to wait for chromedriver to answer `/status`.
        public var startTimeout: Duration

        public init(
            width: Int = 1280, height: Int = 900, mobile: MobileViewport? = nil, language: String = "zh-CN",
            chromedriver: String? = nil, browserBinary: String? = nil, extraArguments: [String] = [],
            driverLogPath: String? = nil, startTimeout: Duration = .seconds(20)
        ) {
            self.width = width
            self.height = height
            self.mobile = mobile
            self.language = language
            self.chromedriver = chromedriver
            self.browserBinary = browserBinary
            self.extraArguments = extraArguments
            self.driverLogPath = driverLogPath
            self.startTimeout = startTimeout
        }
    }

    /// A phone screen for Chromium's mobile emulation.
    public struct MobileViewport: Sendable, Hashable {
        public var width: Int
        public var height: Int
        public var pixelRatio: Double

        public init(width: Int = 390, height: Int = 844, pixelRatio: Double = 2) {
            self.width = width
            self.height = height
            self.pixelRatio = pixelRatio
        }
    }

    /// A reference to an element on the current page (W3C web element id).
    public struct Element: Sendable, Hashable {
        public let id: String

        public init(id: String) { self.id = id }

        /// The element as a script argument (`arguments[i]` in `executeScript` is the DOM node).
        public var json: WebDriverJSON { .object([WebDriver.elementKey: .string(id)]) }
    }

    /// The W3C key that marks a web element reference in JSON.
    public static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// chromedriver's loopback port.
    public let port: Int
    /// The WebDriver session id.
    public let sessionID: String
    private let driver: Mutex<Process?>

    private init(port: Int, sessionID: String, driver: Process) {
        self.port = port
        self.sessionID = sessionID
        self.driver = Mutex(driver)
    }

    deinit {
        driver.withLock { p in
            if let p, p.isRunning { p.terminate() }
        }
    }

    // MARK: - Start and stop

    /// Starts chromedriver on a free loopback port and opens a headless Chromium session.
    public static func start(_ options: Options = Options()) async throws -> WebDriver {
        guard let executable = options.chromedriver ?? findChromedriver() else {
            throw WebDriverError.chromedriverNotFound
        }
        let port = freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        // chromedriver listens on loopback only unless told otherwise (--allowed-ips); keep it so.
        process.arguments = ["--port=\(port)"] + (options.driverLogPath == nil ? [] : ["--verbose"])
        var env = ProcessInfo.processInfo.environment
        env["LANGUAGE"] = options.language
        process.environment = env
        if let logPath = options.driverLogPath {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        do {
            try process.run()
        } catch {
            throw WebDriverError.startFailed("chromedriver did not start: \(error)")
        }

        do {
            try await waitForStatus(port: port, timeout: options.startTimeout)
            let answer = try await request(port: port, "POST", "/session", body: capabilities(options))
            guard let id = answer["sessionId"]?.stringValue else {
                throw WebDriverError.badAnswer("no sessionId in new-session answer")
            }
            let browser = WebDriver(port: port, sessionID: id, driver: process)
            if options.mobile == nil {
                try await browser.setViewport(width: options.width, height: options.height)
            }
            return browser
        } catch {
            stop(process)
            if let e = error as? WebDriverError { throw e }
            throw WebDriverError.startFailed("\(error)")
        }
    }

    /// Ends the browser session and kills chromedriver. Safe to call more than once.
    public func quit() async {
        let running = driver.withLock { $0?.isRunning ?? false }
        if running {
            _ = try? await session("DELETE", "")
        }
        let process = driver.withLock { p -> Process? in
            let old = p
            p = nil
            return old
        }
        if let process { Self.stop(process) }
    }

    /// SIGTERM, then SIGKILL if chromedriver is still there after 2 s.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    static func findChromedriver() -> String? {
        var candidates: [String] = []
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(dir)/chromedriver")
        }
        candidates += ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func capabilities(_ o: Options) -> WebDriverJSON {
        var args: [WebDriverJSON] = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update",
            .string("--lang=\(o.language)"),
            .string("--window-size=\(o.width),\(o.height)"),
        ]
        args += o.extraArguments.map { .string($0) }
        var chrome: [String: WebDriverJSON] = [
            "args": .array(args),
            "prefs": ["intl.accept_languages": .string(o.language)],
        ]
        if let binary = o.browserBinary { chrome["binary"] = .string(binary) }
        if let m = o.mobile {
            chrome["mobileEmulation"] = [
                "deviceMetrics": [
                    "width": .number(Double(m.width)), "height": .number(Double(m.height)),
                    "pixelRatio": .number(m.pixelRatio), "touch": true,
                ]
            ]
        }
        return [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": .object(chrome),
                    "goog:loggingPrefs": ["browser": "ALL"],
                ]
            ]
        ]
    }

    static func waitForStatus(port: Int, timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let status = try? await request(port: port, "GET", "/status", body: nil),
                status["ready"]?.boolValue == true
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw WebDriverError.startFailed("chromedriver did not answer on port \(port)")
    }

    // MARK: - Transport

    /// Sends one command to this session (`path` after `/session/{id}`) and returns its `value`.
    @discardableResult
    public func session(_ method: String, _ path: String, _ body: WebDriverJSON? = nil) async throws
        -> WebDriverJSON
    {
        // W3C wants a JSON object on every POST; other methods carry no body.
        var payload: WebDriverJSON? = body
        if payload == nil && method == "POST" { payload = .object([:]) }
        return try await Self.request(port: port, method, "/session/\(sessionID)\(path)", body: payload)
    }

    static func request(port: Int, _ method: String, _ path: String, body: WebDriverJSON?) async throws
        -> WebDriverJSON
    {
        let (status, data) = try await LoopbackHTTP.send(
            port: port, method: method, path: path, body: try body.map { try JSONEncoder().encode($0) })
        let answer: WebDriverJSON
        do {
            answer = try JSONDecoder().decode(WebDriverJSON.self, from: data)
        } catch {
            throw WebDriverError.badAnswer("HTTP \(status), body is not JSON")
        }
        let value = answer["value"] ?? .null
        if status >= 400 {
            throw WebDriverError.command(
                status: status, error: value["error"]?.stringValue ?? "unknown error",
                message: value["message"]?.stringValue ?? "")
        }
        return value
    }
}
