/// Why a WebDriver call failed. A test that gets one fails; none is retried by the client.
public enum WebDriverError: Error, CustomStringConvertible, Sendable {
    /// `chromedriver` (Debian package chromium-driver) is not installed.
    case chromedriverNotFound
    /// chromedriver did not answer `/status` in time, or the browser session could not start.
    case startFailed(String)
    /// The driver answered with a W3C error (`no such element`, `stale element reference`, …).
    case command(status: Int, error: String, message: String)
    /// `waitFor` / `waitUntil` ran out of time.
    case timeout(String)
    /// The driver's answer was not the JSON the protocol promises.
    case badAnswer(String)

    public var description: String {
        switch self {
        case .chromedriverNotFound:
            return "chromedriver not found (apt-get install chromium chromium-driver)"
        case .startFailed(let why):
            return "could not start headless Chromium: \(why)"
        case .command(let status, let error, let message):
            // chromedriver's messages carry a long session-info tail; the first line says it.
            let first = message.split(separator: "\n").first.map(String.init) ?? ""
            return "WebDriver \(status) \(error): \(first)"
        case .timeout(let what):
            return "timed out waiting for \(what)"
        case .badAnswer(let what):
            return "unexpected WebDriver answer: \(what)"
        }
    }

    /// Whether this is the driver's `no such element`.
    public var isNoSuchElement: Bool {
        if case .command(_, let error, _) = self { return error == "no such element" }
        return false
    }
}
