import AnxinCore
import Foundation
import Synchronization

/// Publishes sequence-numbered heart-rate readings from many simulated iMEDE watches at a steady rate, at
/// QoS 1, and records when the broker acknowledged each one — the load of the fault suite.
///
/// Message `seq` comes from device `seq % devices` and carries one sample measured at
/// `firstTimestamp + seq / devices` seconds, so every message is exactly one distinct stored reading
/// (`sample(seq:)`, and back with `seq(device:measuredAt:)`). Heart rates stay within 60-90 bpm, so the load
/// opens no alert. The topic is `iMEDE_watch/AP55`:
/// `{"IMEI":"<15 digits>","data":[{"timestamp":<epoch s>,"heartRate":<bpm>}]}`.
///
/// It speaks MQTT 3.1.1 itself on its own thread, with clean session off and a fixed client id, so it keeps
/// going through broker restarts: it reconnects every 20 ms until the broker is back, then resends every
/// message not yet acknowledged (DUP set, same packet id), as MQTT asks. New messages wait while it is
/// disconnected; the rate is held by a token bucket that does not catch up on time spent offline.
///
/// ```swift
/// let load = LoadPublisher(port: broker.port, devices: 20, ratePerSecond: 1_500)
/// load.start()
/// // … restart the broker, kill the gateway …
/// let drained = load.stop()          // stops new messages, waits for the last acknowledgements
/// let acked = load.acknowledgements  // seq, device, ackedAt
/// ```
public final class LoadPublisher: @unchecked Sendable {
    /// The topic of every load message (the shipped `imede-watch` profile's buffered vitals).
    public static let topic = "iMEDE_watch/AP55"

    /// One message of the load, as the gateway should store it.
    public struct Sample: Sendable, Hashable {
        public let seq: Int
        /// The watch's IMEI.
        public let device: String
        /// The reading's measured time, epoch milliseconds (whole seconds).
        public let measuredAt: EpochMillis
        public let heartRate: Int
    }

    /// A message the broker acknowledged (PUBACK), with the publisher's wall-clock times.
    public struct Acknowledgement: Sendable, Hashable {
        public let seq: Int
        public let device: String
        /// When the message was first written to a connection.
        public let firstSentAt: EpochMillis
        /// When its PUBACK was read.
        public let ackedAt: EpochMillis
    }

    public let host: String
    public let port: Int
    public let clientID: String
    public let devices: Int
    public let ratePerSecond: Int
    /// Measured time (epoch seconds) of each device's first sample.
    public let firstTimestamp: Int64
    /// Most messages awaiting PUBACK before new ones wait.
    public let window: Int
    private let devicePrefix: String
    private let clock: any WallClock
    /// Whether each acknowledgement is kept (``acknowledgements``); off for hour-long soaks.
    public let recording: Bool

    struct Shared {
        var acknowledgements: [Acknowledgement] = []
        var acknowledgedTotal = 0
        var sent = 0
        var inFlight = 0
        var connections = 0
        var resent = 0
        var lastError: String?
        var stopRequested = false
        var drainDeadline: Date = .distantFuture
        var running = false
    }

    let shared = Mutex(Shared())
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - devices: distinct watches, `1...99_999`.
    ///   - ratePerSecond: target messages per second (all devices together).
    ///   - devicePrefix: leading digits of every IMEI (padded with the device index to 15 digits); pick one no
    ///     other device in the test uses.
    ///   - firstTimestamp: epoch seconds of the first sample of each device; by default two days ago, so the
    ///     load never mixes with readings measured now.
    ///   - clientID: fixed across reconnects, so the broker's session (and its duplicate check) carries over.
    ///   - window: most unacknowledged messages, at most 60,000 (packet ids are 16 bits).
    public init(
        host: String = "127.0.0.1", port: Int, devices: Int, ratePerSecond: Int, devicePrefix: String = "8699",
        firstTimestamp: Int64? = nil, clientID: String = "anxin-load-\(UUID().uuidString.prefix(8))",
        window: Int = 5_000, clock: any WallClock = SystemWallClock(), recording: Bool = true
    ) {
        self.recording = recording
        precondition((1...99_999).contains(devices), "devices must be 1...99,999")
        precondition(ratePerSecond >= 1, "the rate must be at least one message a second")
        precondition(devicePrefix.count <= 10 && devicePrefix.allSatisfy(\.isNumber), "prefix: up to 10 digits")
        self.host = host
        self.port = port
        self.devices = devices
        self.ratePerSecond = ratePerSecond
        self.devicePrefix = devicePrefix
        self.firstTimestamp = firstTimestamp ?? (clock.now() / 1000 - 2 * 86_400)
        self.clientID = clientID
        self.window = Swift.min(Swift.max(1, window), 60_000)
        self.clock = clock
    }

    // MARK: - Messages

    /// The IMEI of device `index` (`0..<devices`).
    public func deviceID(_ index: Int) -> String {
        let digits = String(index)
        return devicePrefix + String(repeating: "0", count: 15 - devicePrefix.count - digits.count) + digits
    }

    /// Every device's IMEI, in index order.
    public var deviceIDs: [String] { (0..<devices).map(deviceID) }

    /// What message `seq` carries.
    public func sample(seq: Int) -> Sample {
        Sample(
            seq: seq, device: deviceID(seq % devices), measuredAt: (firstTimestamp + Int64(seq / devices)) * 1000,
            heartRate: 60 + seq % 31)
    }

    /// The message that carried a stored reading, or nil when the reading is not from this load.
    public func seq(device: String, measuredAt: EpochMillis) -> Int? {
        guard device.count == 15, device.hasPrefix(devicePrefix),
            let index = Int(device.dropFirst(devicePrefix.count)), index < devices,
            measuredAt % 1000 == 0, measuredAt / 1000 >= firstTimestamp
        else { return nil }
        return Int(measuredAt / 1000 - firstTimestamp) * devices + index
    }

    /// The JSON payload of message `seq`.
    public func payload(seq: Int) -> [UInt8] {
        let s = sample(seq: seq)
        return Array(
            "{\"IMEI\":\"\(s.device)\",\"data\":[{\"timestamp\":\(s.measuredAt / 1000),\"heartRate\":\(s.heartRate)}]}"
                .utf8)
    }

    // MARK: - Progress

    /// Messages written to a connection at least once (they are `0..<sentCount`).
    public var sentCount: Int { shared.withLock { $0.sent } }

    /// Messages the broker acknowledged so far.
    public var acknowledgedCount: Int { shared.withLock { $0.acknowledgedTotal } }

    /// Every acknowledgement so far, in the order they arrived (empty when not `recording`).
    public var acknowledgements: [Acknowledgement] { shared.withLock { $0.acknowledgements } }

    /// Messages sent and not yet acknowledged.
    public var inFlightCount: Int { shared.withLock { $0.inFlight } }

    /// Connections the broker accepted (1 + reconnects).
    public var connections: Int { shared.withLock { $0.connections } }

    /// Messages sent again after a reconnect.
    public var resentCount: Int { shared.withLock { $0.resent } }

    /// The last connection problem (broker gone, refused), if any.
    public var lastError: String? { shared.withLock { $0.lastError } }

    // MARK: - Control

    /// Starts publishing on a thread of its own. Call once.
    public func start() {
        let already = shared.withLock { s -> Bool in
            defer { s.running = true }
            return s.running
        }
        precondition(!already, "a LoadPublisher starts once")
        let thread = Thread { [self] in
            var loop = LoadPublisherLoop(publisher: self)
            loop.run()
            finished.signal()
        }
        thread.name = "anxin-load-publisher"
        thread.start()
    }

    /// Stops taking new messages, waits up to `drainTimeout` for the broker to acknowledge the ones in
    /// flight (reconnecting if needed), then disconnects.
    /// - Returns: `true` when every sent message was acknowledged.
    @discardableResult
    public func stop(drainTimeout: TimeInterval = 30) -> Bool {
        let running = shared.withLock { s -> Bool in
            s.stopRequested = true
            s.drainDeadline = Date(timeIntervalSinceNow: drainTimeout)
            return s.running
        }
        guard running else { return true }
        finished.wait()
        return shared.withLock { s in
            s.running = false
            return s.inFlight == 0
        }
    }

    func now() -> EpochMillis { clock.now() }
}
