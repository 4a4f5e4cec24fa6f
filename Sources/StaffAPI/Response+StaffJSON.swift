import Hummingbird

extension Response {
    /// A JSON response from already rendered JSON text.
    static func staffJSON(status: HTTPResponse.Status = .ok, _ json: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(json)
        buffer.writeString("\n")
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: buffer))
    }
}
