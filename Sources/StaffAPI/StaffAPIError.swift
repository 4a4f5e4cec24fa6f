import Hummingbird

/// A request the API refuses; the client must change the request (4xx) or retry later (5xx).
/// The message names what was wrong, never a resident's data or the request body.
struct StaffAPIError: Error, Sendable, Equatable {
    let status: HTTPResponse.Status
    let message: String
    /// Extra response headers (`Retry-After`, a `Set-Cookie` that clears a dead session).
    var headers: HTTPFields = [:]

    static func badRequest(_ message: String) -> StaffAPIError { .init(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> StaffAPIError { .init(status: .notFound, message: message) }
    static func conflict(_ message: String) -> StaffAPIError { .init(status: .conflict, message: message) }
    static let alreadyResolved = StaffAPIError(status: .conflict, message: "alert already resolved")
    static let internalFailure = StaffAPIError(status: .internalServerError, message: "internal error")
    static let unauthorized = StaffAPIError(status: .unauthorized, message: "sign in required")
    static let forbidden = StaffAPIError(status: .forbidden, message: "your role does not allow this")
    static let unsupportedMediaType = StaffAPIError(
        status: .unsupportedMediaType, message: "request body must be application/json")

    /// The `{"error": "…"}` response.
    var response: Response {
        var o = JSONObjectText()
        o.string("error", message)
        var r = Response.staffJSON(status: status, o.json)
        r.headers.append(contentsOf: headers)
        return r
    }
}
