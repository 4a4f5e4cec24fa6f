import AnxinCore
import Dispatch
import Foundation

/// The body of `LoadPublisher`'s thread: pacing, connection, resends and acknowledgements.
/// Everything here belongs to that one thread; only `LoadPublisher.shared` is touched under its lock.
struct LoadPublisherLoop {
    private struct Pending {
        var seq: Int
        var firstSentAt: EpochMillis
    }

    private let publisher: LoadPublisher
    private var wire = LoadWire()
    private var connected = false
    /// Unacknowledged messages by packet id.
    private var pending: [UInt16: Pending] = [:]
    private var nextPacketID: UInt16 = 0
    private var nextSeq = 0
    private var tokens = 0.0
    private var lastTick: UInt64 = 0
    private var lastPing: UInt64 = 0
    private let burst: Double
    private static let keepAliveSeconds: UInt16 = 60

    init(publisher: LoadPublisher) {
        self.publisher = publisher
        burst = Swift.max(1, Double(publisher.ratePerSecond) / 50)  // at most 20 ms of messages at once
    }

    mutating func run() {
        while true {
            let (stopping, deadline) = publisher.shared.withLock { ($0.stopRequested, $0.drainDeadline) }
            if stopping && (pending.isEmpty || Date() > deadline) {
                if connected {
                    wire.queueDisconnect()
                    _ = try? wire.service(timeoutMs: 0)
                }
                wire.drop()
                return
            }
            if !connected {
                if !connect() {
                    usleep(20_000)  // reconnect interval while the broker is away
                    continue
                }
            }
            if !stopping { publishDue() }
            do {
                let packets = try wire.service(timeoutMs: 1)
                if !packets.isEmpty { record(packets) }
                let now = Self.monotonicNanos()
                if now - lastPing > UInt64(Self.keepAliveSeconds / 2) * 1_000_000_000 {
                    wire.queuePing()
                    lastPing = now
                }
            } catch {
                disconnected(error.description)
            }
        }
    }

    // MARK: - Connection

    /// Connects, waits for CONNACK, resends what is unacknowledged. `false` when the broker is not there.
    private mutating func connect() -> Bool {
        do {
            try wire.dial(host: publisher.host, port: publisher.port)
            wire.queueConnect(clientID: publisher.clientID, keepAliveSeconds: Self.keepAliveSeconds)
            let deadline = Self.monotonicNanos() + 5_000_000_000
            while Self.monotonicNanos() < deadline {
                for packet in try wire.service(timeoutMs: 50) {
                    guard case .connack(_, let code) = packet else { continue }
                    guard code == 0 else {
                        disconnected("the broker refused the connection (return code \(code))")
                        return false
                    }
                    connected = true
                    resendPending()
                    lastTick = Self.monotonicNanos()
                    lastPing = lastTick
                    tokens = 0
                    publisher.shared.withLock { $0.connections += 1 }
                    return true
                }
            }
            disconnected("no CONNACK within 5 s")
        } catch {
            disconnected(error.description)
        }
        return false
    }

    private mutating func disconnected(_ reason: String) {
        connected = false
        wire.drop()
        publisher.shared.withLock { $0.lastError = reason }
    }

    /// MQTT 3.1.1 §4.4: after reconnecting with clean session off, resend unacknowledged PUBLISH packets
    /// with their original packet ids, in their original order.
    private mutating func resendPending() {
        let order = pending.sorted { $0.value.seq < $1.value.seq }
        for (packetID, message) in order {
            wire.queuePublish(
                topic: LoadPublisher.topic, payload: publisher.payload(seq: message.seq), packetID: packetID,
                duplicate: true)
        }
        let count = order.count
        if count > 0 { publisher.shared.withLock { $0.resent += count } }
    }

    // MARK: - Publishing

    private mutating func publishDue() {
        let now = Self.monotonicNanos()
        tokens = Swift.min(burst, tokens + Double(now - lastTick) / 1e9 * Double(publisher.ratePerSecond))
        lastTick = now
        var sent = 0
        let at = publisher.now()
        while tokens >= 1 && pending.count < publisher.window && wire.pendingBytes < 1 << 20 {
            let packetID = allocatePacketID()
            pending[packetID] = Pending(seq: nextSeq, firstSentAt: at)
            wire.queuePublish(
                topic: LoadPublisher.topic, payload: publisher.payload(seq: nextSeq), packetID: packetID,
                duplicate: false)
            nextSeq += 1
            tokens -= 1
            sent += 1
        }
        if sent > 0 {
            let total = nextSeq
            let inFlight = pending.count
            publisher.shared.withLock {
                $0.sent = total
                $0.inFlight = inFlight
            }
        }
    }

    private mutating func allocatePacketID() -> UInt16 {
        repeat {
            nextPacketID = nextPacketID == UInt16.max ? 1 : nextPacketID + 1
        } while pending[nextPacketID] != nil
        return nextPacketID
    }

    private mutating func record(_ packets: [LoadWire.Inbound]) {
        let at = publisher.now()
        var acknowledged: [LoadPublisher.Acknowledgement] = []
        var count = 0
        for case .puback(let packetID) in packets {
            guard let message = pending.removeValue(forKey: packetID) else { continue }
            count += 1
            guard publisher.recording else { continue }
            acknowledged.append(
                LoadPublisher.Acknowledgement(
                    seq: message.seq, device: publisher.deviceID(message.seq % publisher.devices),
                    firstSentAt: message.firstSentAt, ackedAt: at))
        }
        guard count > 0 else { return }
        let inFlight = pending.count
        publisher.shared.withLock {
            $0.acknowledgements += acknowledged
            $0.acknowledgedTotal += count
            $0.inFlight = inFlight
        }
    }

    static func monotonicNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
