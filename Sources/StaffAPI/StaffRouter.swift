import AnxinCore
import Hummingbird

/// The staff API's routes (SPEC section 8), ready for `Application` or for HummingbirdTesting.
///
/// - Parameters:
///   - source: alerts, residents, readings, health and metrics.
///   - events: the hub whose alert changes `GET /api/v1/events` streams.
///   - keepAliveInterval: how often an idle event stream gets a comment line.
///   - clock: the wall clock behind the default `since` of reading history (24 h back).
public func makeStaffRouter(
    source: any StaffDataSource,
    events: AlertEventHub = AlertEventHub(),
    keepAliveInterval: Duration = .seconds(15),
    clock: any WallClock = SystemWallClock()
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.middlewares.add(StaffErrorMiddleware())
    let routes = StaffRoutes(source: source, events: events, keepAliveInterval: keepAliveInterval, clock: clock)
    router.get("/healthz") { _, _ in await routes.health() }
    router.get("/metrics") { _, _ in await routes.metrics() }
    router.get("/api/v1/alerts") { request, _ in try await routes.alerts(request) }
    router.post("/api/v1/alerts/{id}/ack") { request, context in
        try await routes.act(.acknowledge, request, context)
    }
    router.post("/api/v1/alerts/{id}/resolve") { request, context in
        try await routes.act(.resolve, request, context)
    }
    router.get("/api/v1/residents/{id}") { _, context in try await routes.resident(context) }
    router.get("/api/v1/residents/{id}/readings") { request, context in
        try await routes.readings(request, context)
    }
    router.get("/api/v1/events") { _, _ in routes.eventStream() }
    return router
}

/// The handlers behind `makeStaffRouter`, one extension per concern.
struct StaffRoutes: Sendable {
    let source: any StaffDataSource
    let events: AlertEventHub
    let keepAliveInterval: Duration
    let clock: any WallClock

    /// Largest request body accepted (ack/resolve bodies are a few hundred bytes).
    static let maxBodyBytes = 64 * 1024
}
