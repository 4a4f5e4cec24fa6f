/// Exponential reconnect delay: 0.5 s doubling to 30 s, with "equal jitter" (a uniformly random value in
/// the upper half of the step) so a fleet of gateways does not reconnect in lockstep after a broker restart.
struct ReconnectBackoff: Sendable, Equatable {
    var initialSeconds = 0.5
    var maximumSeconds = 30.0
    private(set) var failures = 0

    /// Delay before the next attempt; `unit` is a random number in 0..<1 (injected for tests).
    mutating func nextDelay(unit: Double) -> Double {
        var step = initialSeconds
        var i = 0
        while i < failures && step < maximumSeconds {
            step *= 2
            i += 1
        }
        step = Swift.min(step, maximumSeconds)
        failures += 1
        return step / 2 + step / 2 * Swift.min(Swift.max(unit, 0), 1)
    }

    /// After a successful CONNACK.
    mutating func reset() { failures = 0 }
}
