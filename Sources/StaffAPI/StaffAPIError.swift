import Hummingbird

/// A request the API refuses; the client must change the request (4xx) or retry later (5xx).
/// The message names what was wrong, never a resident's data or the request body.
struct StaffAPIError: Error, Sendable, Equatable {
    let status: HTTPResponse.Status
    let message: String

    static func badRequest(_ message: String) -> StaffAPIError { .init(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> StaffAPIError { .init(status: .notFound, message: message) }
    static let alreadyResolved = StaffAPIError(status: .conflict, message: "alert already resolved")
    static let internalFailure = StaffAPIError(status: .internalServerError, message: "internal error")

    /// The `{"error": "…"}` response.
    var response: Response {
        var o = JSONObjectText()
        o.string("error", message)
        return .staffJSON(status: status, o.json)
    }
}
