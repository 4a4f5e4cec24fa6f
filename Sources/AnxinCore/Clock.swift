import Foundation

/// Wall-clock source, injectable in tests.
public protocol WallClock: Sendable {
    func now() -> EpochMillis
}

/// The system's real time.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> EpochMillis { EpochMillis((Date().timeIntervalSince1970 * 1000).rounded()) }
}

/// A clock tests move by hand.
public final class ManualWallClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var value: EpochMillis
    public init(_ start: EpochMillis) { value = start }
    public func now() -> EpochMillis { lock.withLock { value } }
    public func set(_ v: EpochMillis) { lock.withLock { value = v } }
    public func advance(ms: EpochMillis) { lock.withLock { value += ms } }
}
