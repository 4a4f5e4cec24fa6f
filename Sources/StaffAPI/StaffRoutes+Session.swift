import Hummingbird

extension StaffRoutes {
    /// `POST /api/v1/login` with `{"user", "password"}` → `{"user", "name", "role"}` and the
    /// session cookie; 401 for a wrong user or password (never told apart); 429 while locked.
    func login(_ request: Request) async throws -> Response {
        let fields = try await Self.jsonObject(request)
        guard case .string(let user)? = fields["user"], case .string(let password)? = fields["password"] else {
            throw StaffAPIError.badRequest("\"user\" and \"password\" must be strings")
        }
        switch try await accounts.login(user: user, password: password) {
        case .signedIn(let sessionID, let identity):
            var o = JSONObjectText()
            o.string("user", identity.user)
            o.string("name", identity.name)
            o.string("role", identity.role.rawValue)
            var response = Response.staffJSON(o.json)
            response.headers[.setCookie] = StaffSessionCookie.set(
                sessionID, lifetime: accounts.sessionLifetime, secure: access.secureCookie)
            return response
        case .refused:
            throw StaffAPIError(status: .unauthorized, message: "wrong username or password")
        case .throttled(let seconds):
            var refusal = StaffAPIError(status: .tooManyRequests, message: "too many sign-in attempts; try again later")
            refusal.headers[.retryAfter] = String(seconds)
            throw refusal
        }
    }

    /// `POST /api/v1/logout` → 204: ends the cookie's session (if any) and clears the cookie.
    func logout(_ request: Request) throws -> Response {
        if let sessionID = StaffSessionCookie.value(in: request) {
            try accounts.logout(sessionID: sessionID)
        }
        var response = Response(status: .noContent)
        response.headers[.setCookie] = StaffSessionCookie.clear(secure: access.secureCookie)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// `GET /api/v1/me` → `{"user", "name", "role", "anonymous"}`.
    func me(_ context: StaffRequestContext) throws -> Response {
        .staffJSON(try context.requireRole(.viewer).jsonText)
    }
}
