import HTTPTypes
import Hummingbird

extension StaffRoutes {
    /// The board's Content-Security-Policy: its own files only, no inline script or style.
    static let boardContentSecurityPolicy =
        "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "media-src 'self' data: blob:"

    /// `GET /` and `GET /board` → 302 to `/board/`.
    static func redirectToBoard() -> Response {
        Response(status: .found, headers: [.location: "/board/", .cacheControl: "no-cache"])
    }

    /// `GET /board/{file}`: an embedded board file, revalidated on every load (a new binary brings
    /// new files), never sniffed, under a strict CSP.
    func boardFile(_ name: String) throws -> Response {
        guard let asset = BoardAssets.asset(name) else { throw StaffAPIError.notFound("not found") }
        var buffer = ByteBuffer()
        buffer.writeString(asset.body)
        return Response(
            status: .ok,
            headers: [
                .contentType: asset.contentType,
                .cacheControl: "no-cache",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                .contentSecurityPolicy: Self.boardContentSecurityPolicy,
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: .init(byteBuffer: buffer))
    }
}
