import Foundation
import Hummingbird

/// Decides who is asking before any route runs, and refuses what must not get further.
///
/// Credentials: `Authorization: Bearer <token>`, else the `anxin_session` cookie. A request with
/// neither gets the anonymous role (or none). On a path that is not public, no identity is 401,
/// and so are credentials that do not check out (an expired session also gets its cookie
/// cleared) — never a silent fall-back to anonymous. Public paths: `/healthz`, `/`, `/board/`,
/// `/board/{file}`, `POST /api/v1/login` and `/api/v1/logout`.
///
/// As a CSRF guard, a POST, PUT, PATCH or DELETE that has a body or names a content type must be
/// `application/json` (415 otherwise): a page on another site cannot send that without the
/// browser asking first, and the session cookie is SameSite=Strict besides.
/// Role checks (403) are made per route, by `StaffRequestContext.requireRole`.
struct StaffAuthMiddleware: RouterMiddleware {
    typealias Context = StaffRequestContext

    let accounts: StaffAccounts
    let settings: StaffAccessSettings

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let open = Self.isPublic(request.uri.path)
        let anonymous = settings.anonymous.role.map { StaffIdentity.anonymous(role: $0) }
        if let authorization = request.headers[.authorization] {
            if let token = Self.bearerToken(authorization), let who = try accounts.identity(token: token) {
                context.identity = who
            } else if open {
                context.identity = anonymous
            } else {
                var refusal = StaffAPIError.unauthorized
                refusal.headers[.wwwAuthenticate] = "Bearer"
                throw refusal
            }
        } else if let sessionID = StaffSessionCookie.value(in: request) {
            if let who = try accounts.identity(sessionID: sessionID) {
                context.identity = who
            } else if open {
                context.identity = anonymous
            } else {
                var refusal = StaffAPIError(status: .unauthorized, message: "session expired; sign in again")
                refusal.headers[.setCookie] = StaffSessionCookie.clear(secure: settings.secureCookie)
                throw refusal
            }
        } else {
            context.identity = anonymous
        }
        if !open && context.identity == nil { throw StaffAPIError.unauthorized }
        try Self.checkContentType(request)
        return try await next(request, context)
    }

    /// Paths that answer without credentials. `/board/` files are one path segment deep.
    static func isPublic(_ path: String) -> Bool {
        switch path {
        case "/healthz", "/", "/board", "/board/", "/api/v1/login", "/api/v1/logout": return true
        default:
            guard path.hasPrefix("/board/") else { return false }
            let file = path.dropFirst("/board/".count)
            return !file.contains("/") && !file.hasPrefix(".")
        }
    }

    /// The token of an `Authorization: Bearer …` header, nil for any other scheme.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    static func checkContentType(_ request: Request) throws {
        guard [.post, .put, .patch, .delete].contains(request.method) else { return }
        let type = request.headers[.contentType]
        let length = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        let hasBody = length > 0 || request.headers[.transferEncoding] != nil
        guard type != nil || hasBody else { return }
        guard let type, isJSON(type) else { throw StaffAPIError.unsupportedMediaType }
    }

    /// `application/json`, with or without parameters such as `charset=utf-8`.
    static func isJSON(_ contentType: String) -> Bool {
        let base = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return base.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
