import Foundation

extension WebDriver {
    // MARK: - Navigation

    /// Loads `url` and waits for the document to finish loading.
    public func navigate(to url: String) async throws {
        try await session("POST", "/url", ["url": .string(url)])
    }

    /// The address of the current page.
    public func currentURL() async throws -> String {
        try await session("GET", "/url").stringValue ?? ""
    }

    /// The current page's title.
    public func title() async throws -> String {
        try await session("GET", "/title").stringValue ?? ""
    }

    /// Reloads the current page.
    public func refresh() async throws {
        try await session("POST", "/refresh")
    }

    /// Sets the outer window so that the page viewport is `width` × `height` CSS pixels.
    public func setViewport(width: Int, height: Int) async throws {
        try await session("POST", "/window/rect", ["width": .number(Double(width)), "height": .number(Double(height))])
        let inner = try await executeScript("return [window.innerWidth, window.innerHeight];")
        guard let a = inner.arrayValue, a.count == 2, let w = a[0].doubleValue, let h = a[1].doubleValue else { return }
        let dw = width - Int(w)
        let dh = height - Int(h)
        if dw != 0 || dh != 0 {
            try await session(
                "POST", "/window/rect",
                ["width": .number(Double(width + dw)), "height": .number(Double(height + dh))])
        }
    }

    // MARK: - Elements

    /// The first element matching the CSS selector; throws `WebDriverError.command` with
    /// `no such element` when there is none (see `isNoSuchElement`).
    public func findElement(_ css: String) async throws -> Element {
        let value = try await session("POST", "/element", ["using": "css selector", "value": .string(css)])
        guard let id = value[Self.elementKey]?.stringValue else {
            throw WebDriverError.badAnswer("no element reference for \(css)")
        }
        return Element(id: id)
    }

    /// Every element matching the CSS selector, in document order (empty when none).
    public func findElements(_ css: String) async throws -> [Element] {
        let value = try await session("POST", "/elements", ["using": "css selector", "value": .string(css)])
        return (value.arrayValue ?? []).compactMap { $0[Self.elementKey]?.stringValue.map(Element.init(id:)) }
    }

    /// Every element matching the CSS selector inside `parent`.
    public func findElements(_ css: String, in parent: Element) async throws -> [Element] {
        let value = try await session(
            "POST", "/element/\(parent.id)/elements", ["using": "css selector", "value": .string(css)])
        return (value.arrayValue ?? []).compactMap { $0[Self.elementKey]?.stringValue.map(Element.init(id:)) }
    }

    /// Polls every `poll` until an element matches the CSS selector; throws `.timeout` after `timeout`.
    @discardableResult
    public func waitFor(
        _ css: String, timeout: Duration = .seconds(5), poll: Duration = .milliseconds(25)
    ) async throws -> Element {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let first = try await findElements(css).first { return first }
            if clock.now >= deadline { throw WebDriverError.timeout(css) }
            try await Task.sleep(for: poll)
        }
    }

    /// Polls until no element matches the CSS selector.
    public func waitForAbsence(
        _ css: String, timeout: Duration = .seconds(5), poll: Duration = .milliseconds(25)
    ) async throws {
        try await waitUntil("no \(css)", timeout: timeout, poll: poll) { [self] in
            try await findElements(css).isEmpty
        }
    }

    /// Polls `condition` until it is true; throws `.timeout(what)` after `timeout`.
    public func waitUntil(
        _ what: String, timeout: Duration = .seconds(5), poll: Duration = .milliseconds(25),
        _ condition: @Sendable () async throws -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if try await condition() { return }
            if clock.now >= deadline { throw WebDriverError.timeout(what) }
            try await Task.sleep(for: poll)
        }
    }

    /// Clicks the element (scrolled into view first, as a user would).
    public func click(_ element: Element) async throws {
        try await session("POST", "/element/\(element.id)/click")
    }

    /// Runs `body` again (up to `attempts` times) when the page replaced an element it held: a
    /// live page re-renders a card when its alert changes, between finding and clicking.
    public func retryingStale<T>(attempts: Int = 5, _ body: () async throws -> T) async throws -> T {
        var left = attempts
        while true {
            do {
                return try await body()
            } catch WebDriverError.command(_, let error, _) where error == "stale element reference" && left > 1 {
                left -= 1
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Types `text` into the element (an input, textarea or contenteditable).
    public func sendKeys(_ element: Element, _ text: String) async throws {
        try await session("POST", "/element/\(element.id)/value", ["text": .string(text)])
    }

    /// Empties an input or textarea.
    public func clear(_ element: Element) async throws {
        try await session("POST", "/element/\(element.id)/clear")
    }

    /// The element's rendered text (what a user sees, whitespace collapsed).
    public func text(_ element: Element) async throws -> String {
        try await session("GET", "/element/\(element.id)/text").stringValue ?? ""
    }

    /// An attribute of the element as written in the DOM, nil when absent.
    public func attribute(_ element: Element, _ name: String) async throws -> String? {
        try await session("GET", "/element/\(element.id)/attribute/\(name)").stringValue
    }

    /// A DOM property of the element (`value`, `checked`, …).
    public func property(_ element: Element, _ name: String) async throws -> WebDriverJSON {
        try await session("GET", "/element/\(element.id)/property/\(name)")
    }

    /// Whether the element is displayed.
    public func isDisplayed(_ element: Element) async throws -> Bool {
        try await session("GET", "/element/\(element.id)/displayed").boolValue ?? false
    }

    // MARK: - Scripts, screenshots, cookies, logs

    /// Runs `script` as the body of a function in the page (`arguments[i]` are `arguments`) and
    /// returns what it returns.
    @discardableResult
    public func executeScript(_ script: String, _ arguments: [WebDriverJSON] = []) async throws -> WebDriverJSON {
        try await session("POST", "/execute/sync", ["script": .string(script), "args": .array(arguments)])
    }

    /// A PNG of the current viewport.
    public func screenshotPNG() async throws -> Data {
        guard let text = try await session("GET", "/screenshot").stringValue,
            let data = Data(base64Encoded: text)
        else {
            throw WebDriverError.badAnswer("screenshot is not base64")
        }
        return data
    }

    /// Sets a cookie for the current page's origin (load a page of that origin first).
    public func setCookie(
        name: String, value: String, path: String = "/", httpOnly: Bool = false, sameSite: String? = nil
    ) async throws {
        var cookie: [String: WebDriverJSON] = [
            "name": .string(name), "value": .string(value), "path": .string(path), "httpOnly": .bool(httpOnly),
        ]
        if let sameSite { cookie["sameSite"] = .string(sameSite) }
        try await session("POST", "/cookie", ["cookie": .object(cookie)])
    }

    /// Removes every cookie of the current origin.
    public func deleteAllCookies() async throws {
        try await session("DELETE", "/cookie")
    }

    /// The browser console since the last call (`LEVEL message` lines), e.g. to assert that the
    /// page logged no CSP violation or script error. A chromedriver extension.
    public func browserLog() async throws -> [String] {
        let value = try await session("POST", "/se/log", ["type": "browser"])
        return (value.arrayValue ?? []).map { entry in
            "\(entry["level"]?.stringValue ?? "") \(entry["message"]?.stringValue ?? "")"
        }
    }
}
