/// What came of a sign-in attempt.
public enum StaffLoginResult: Sendable, Hashable {
    /// Signed in: the new session id (give it to the browser once, as the `anxin_session`
    /// cookie) and who it stands for.
    case signedIn(sessionID: String, identity: StaffIdentity)
    /// Unknown user, disabled account or wrong password (answered 401, never told apart).
    case refused
    /// Too many recent failures for this username, or too many sign-ins at once; try again
    /// after this many seconds (answered 429).
    case throttled(retryAfterSeconds: Int)
}
