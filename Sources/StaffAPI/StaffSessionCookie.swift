import AnxinCore
import Hummingbird

/// The board's session cookie, `anxin_session`: HttpOnly (scripts cannot read it), SameSite=Strict
/// (other sites cannot make the browser send it), Path=/, and Secure when configured.
enum StaffSessionCookie {
    static let name = "anxin_session"

    /// `Set-Cookie` value that hands the browser a session lasting `lifetime` milliseconds.
    static func set(_ sessionID: String, lifetime: EpochMillis, secure: Bool) -> String {
        "\(name)=\(sessionID); Path=/; Max-Age=\(max(0, lifetime / 1000)); HttpOnly; SameSite=Strict"
            + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` value that makes the browser forget the session.
    static func clear(secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The session id the request carries, if any.
    static func value(in request: Request) -> String? {
        guard let v = request.cookies[name]?.value, !v.isEmpty else { return nil }
        return v
    }
}
