import AnxinCore

extension HotlineReceiver {
    /// Queues answers for the next requests to `path` (e.g. `/wecom`), in order; they are used
    /// before the shared script.
    public func script(path: String, _ replies: [Reply]) {
        state.withLock { $0.pathScripts[path, default: []] += replies }
    }

    /// The answer for `path` once its own script is used up (instead of the shared ones).
    public func setDefaultReply(_ reply: Reply, path: String) {
        state.withLock { $0.pathDefaults[path] = reply }
    }

    /// `http://HOST:PORT<path>` once started, e.g. `url(path: "/cgi-bin/webhook/send?key=K")`.
    public func url(path: String) -> String {
        state.withLock { s in "http://\(s.host):\(s.port ?? 0)" + path }
    }

    /// Requests to `path` so far, in arrival order.
    public func requests(path: String) -> [Request] {
        requests.filter { $0.path == path }
    }

    /// Waits until at least `count` requests to `path` have arrived; returns them.
    @discardableResult
    public func waitFor(count: Int, path: String, timeout: Duration = .seconds(10)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let seen = requests(path: path)
            if seen.count >= count { return seen }
            if ContinuousClock.now >= deadline { throw Timeout(expected: count, received: seen.count) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
