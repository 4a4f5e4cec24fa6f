import AnxinCore
import Hummingbird
import Logging
import ServiceLifecycle

/// The staff HTTP listener as a `Service`: serves `makeStaffRouter` on `host:port` until graceful
/// shutdown, then ends the live event streams so shutdown does not wait on them.
public struct StaffServer: Service {
    let host: String
    let port: Int
    let source: any StaffDataSource
    let accounts: StaffAccounts
    let access: StaffAccessSettings
    let events: AlertEventHub
    let keepAliveInterval: Duration
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - host: address to bind, e.g. `127.0.0.1`.
    ///   - port: port to bind; 0 picks a free one, reported through `onListening`.
    ///   - source: the data behind the API.
    ///   - accounts: sign-in, sessions, tokens and the audit log.
    ///   - access: what anonymous callers may do (`none` off loopback), whether the cookie is `Secure`.
    ///   - events: the hub the gateway publishes alert changes to.
    ///   - keepAliveInterval: idle event streams get a comment this often.
    ///   - logger: where request failures are logged (never with resident data).
    ///   - onListening: called once the socket is bound, with the bound port.
    public init(
        host: String, port: Int, source: any StaffDataSource, accounts: StaffAccounts, access: StaffAccessSettings,
        events: AlertEventHub = AlertEventHub(),
        keepAliveInterval: Duration = .seconds(15), logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.source = source
        self.accounts = accounts
        self.access = access
        self.events = events
        self.keepAliveInterval = keepAliveInterval
        self.logger = logger
        self.onListening = onListening
    }

    /// Runs the listener until graceful shutdown (or cancellation).
    public func run() async throws {
        // Made beside the listener's start rather than before it: at cost 12 it takes ~0.2 s, which READY
        // waited for (a sign-in in that first moment simply makes its own).
        let accounts = self.accounts
        Task { await accounts.warmUp() }
        let router = makeStaffRouter(
            source: source, accounts: accounts, access: access, events: events, keepAliveInterval: keepAliveInterval)
        let requestedPort = port
        let onListening = onListening
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? requestedPort)
            },
            logger: logger)
        let events = events
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            events.close()
        }
    }
}
