import Hummingbird
import Logging

/// Turns every failure into `{"error": "…"}` JSON with the right status, including Hummingbird's
/// own (unknown route 404, body too large 413), so clients only ever parse one error shape.
struct StaffErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StaffAPIError {
            return error.response
        } catch let error as HTTPError {
            let message = error.body ?? error.status.reasonPhrase.lowercased()
            return StaffAPIError(status: error.status, message: message).response
        } catch let error as any HTTPResponseError {
            return StaffAPIError(status: error.status, message: error.status.reasonPhrase.lowercased()).response
        } catch {
            context.logger.error(
                "staff API request failed", metadata: ["error.type": "\(type(of: error))"])
            return StaffAPIError.internalFailure.response
        }
    }
}
