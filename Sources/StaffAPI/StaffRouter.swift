import AnxinCore
import Hummingbird

/// The staff API's routes and the duty board's files, ready for `Application` or for
/// HummingbirdTesting.
///
/// Every request passes `StaffAuthMiddleware` (who is asking, 401, 415) and every route checks
/// the role it needs (403): viewer for reading, oncall for acting on alerts and silences, admin
/// for requeueing and the audit log.
///
/// - Parameters:
///   - source: alerts, residents, devices, outbox, silences, health and metrics.
///   - accounts: sign-in, sessions, tokens and the audit log.
///   - access: what anonymous callers may do, and whether the cookie is `Secure`.
///   - events: the hub whose alert changes `GET /api/v1/events` streams.
///   - keepAliveInterval: how often an idle event stream gets a comment line.
///   - clock: the wall clock behind the default `since` of reading history (24 h back).
public func makeStaffRouter(
    source: any StaffDataSource,
    accounts: StaffAccounts,
    access: StaffAccessSettings,
    events: AlertEventHub = AlertEventHub(),
    keepAliveInterval: Duration = .seconds(15),
    clock: any WallClock = SystemWallClock()
) -> Router<StaffRequestContext> {
    let router = Router(context: StaffRequestContext.self)
    router.middlewares.add(StaffErrorMiddleware())
    router.middlewares.add(StaffAuthMiddleware(accounts: accounts, settings: access))
    let routes = StaffRoutes(
        source: source, accounts: accounts, access: access, events: events, keepAliveInterval: keepAliveInterval,
        clock: clock)
    router.get("/healthz") { _, _ in await routes.health() }
    router.get("/") { _, _ in StaffRoutes.redirectToBoard() }
    router.get("/board/") { request, _ in
        // `/board` and `/board/` reach this one route; only the second makes the board's
        // relative links (`app.js`) resolve under /board/.
        request.uri.path.hasSuffix("/") ? try routes.boardFile("index.html") : StaffRoutes.redirectToBoard()
    }
    router.get("/board/{file}") { _, context in try routes.boardFile(context.parameters.require("file")) }
    router.post("/api/v1/login") { request, _ in try await routes.login(request) }
    router.post("/api/v1/logout") { request, _ in try routes.logout(request) }
    router.get("/api/v1/me") { _, context in try routes.me(context) }
    router.get("/metrics") { _, context in
        _ = try context.requireRole(.viewer)
        return await routes.metrics()
    }
    addAlertRoutes(router, routes)
    addOperationRoutes(router, routes)
    return router
}

private func addAlertRoutes(_ router: Router<StaffRequestContext>, _ routes: StaffRoutes) {
    router.get("/api/v1/alerts") { request, context in
        _ = try context.requireRole(.viewer)
        return try await routes.alerts(request)
    }
    router.get("/api/v1/alerts/{id}") { _, context in try await routes.alertDetail(context) }
    router.post("/api/v1/alerts/{id}/ack") { request, context in
        try await routes.act(.acknowledge, request, context)
    }
    router.post("/api/v1/alerts/{id}/resolve") { request, context in
        try await routes.act(.resolve, request, context)
    }
    router.post("/api/v1/alerts/{id}/cancel") { request, context in
        try await routes.act(.cancel, request, context)
    }
    router.get("/api/v1/residents/{id}") { _, context in try await routes.resident(context) }
    router.get("/api/v1/residents/{id}/readings") { request, context in
        try await routes.readings(request, context)
    }
    router.get("/api/v1/events") { _, context in
        _ = try context.requireRole(.viewer)
        return routes.eventStream()
    }
}

private func addOperationRoutes(_ router: Router<StaffRequestContext>, _ routes: StaffRoutes) {
    router.get("/api/v1/devices") { request, context in try await routes.devices(request, context) }
    router.get("/api/v1/outbox") { request, context in try await routes.outbox(request, context) }
    router.post("/api/v1/outbox/{id}/requeue") { _, context in try await routes.requeue(context) }
    router.get("/api/v1/silences") { _, context in try await routes.silences(context) }
    router.post("/api/v1/silences") { request, context in try await routes.addSilence(request, context) }
    router.delete("/api/v1/silences/{id}") { _, context in try await routes.liftSilence(context) }
    router.get("/api/v1/audit") { request, context in try routes.auditLog(request, context) }
}

/// The handlers behind `makeStaffRouter`, one extension per concern.
struct StaffRoutes: Sendable {
    let source: any StaffDataSource
    let accounts: StaffAccounts
    let access: StaffAccessSettings
    let events: AlertEventHub
    let keepAliveInterval: Duration
    let clock: any WallClock

    /// Largest request body accepted (ack/resolve bodies are a few hundred bytes).
    static let maxBodyBytes = 64 * 1024

    /// The caller, if their role is at least `role`. A signed-in caller below it is refused with
    /// 403 and, for an action (`action` given), the refusal is audited.
    func authorize(_ context: StaffRequestContext, _ role: StaffRole, action: String, target: String?) throws
        -> StaffIdentity
    {
        guard let identity = context.identity else { throw StaffAPIError.unauthorized }
        guard identity.role >= role else {
            try accounts.audit(identity, action: action, target: target, outcome: "denied")
            throw StaffAPIError.forbidden
        }
        return identity
    }
}
