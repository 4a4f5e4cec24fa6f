import AnxinCore
import Dispatch
import Foundation
import Synchronization

/// Takes device messages from the broker and hands them to the pipeline through a `MessageHandoff`.
///
/// Owns one thread that drives libmosquitto by hand (`poll()` on its socket, then read / write /
/// keepalive), with a persistent MQTT v5 session, reconnect with backoff and back-pressure.
///
/// **No message is lost between the socket and the hand-off.** libmosquitto acknowledges a QoS 1
/// message (PUBACK) before `on_message` runs, so from then on the gateway owns it. The invariant:
/// the loop thread calls `mosquitto_loop_read` only when (a) its private overflow list is empty and
/// (b) the hand-off has at least `headroom` free slots. `on_message` pushes into the hand-off and, if that
/// fails, appends to the overflow list, which is owned by the loop thread (the callback runs on it) and
/// drained into the hand-off, in order, before the next read. A burst of reads after one `poll()` stops at
/// `headroom` reads or at the first parked message. One read normally delivers one message
/// (several only for TLS records or QoS 2 releases), so the overflow list stays within what one read can
/// deliver and never grows without bound. While reading is paused the thread keeps writing and sending
/// keepalives; TCP back-pressure (plus the receive maximum) makes the broker queue for us. At `stop()`
/// whatever is left in the overflow list is appended to the hand-off beyond its capacity.
/// Reading paused for longer than 1.5 × keepalive makes libmosquitto drop the connection (the PINGRESP
/// cannot be read); the persistent session then redelivers everything not yet acknowledged.
public final class MQTTIngest: @unchecked Sendable {
    /// The settings this ingest was built with (topic filters may since have changed through `updateSubscriptions`).
    public let settings: MQTTSettings
    public let handoff: MessageHandoff
    let clock: WallClock
    let onEvent: @Sendable (IngestEvent) -> Void

    struct Shared {
        var connected = false
        var subscriptionsAcknowledged = false
        var desiredFilters: [String]
        var filtersGeneration = 0
        var run: Run?
    }

    struct Run {
        let wake: WakeSignal
        let finished: DispatchSemaphore
    }

    let shared: Mutex<Shared>
    let stopRequested = Atomic<Bool>(false)
    private let received = Atomic<Int>(0)
    private let oversize = Atomic<Int>(0)
    private let fullWaits = Atomic<Int>(0)
    private let parked = Atomic<Int>(0)
    private let heldAcks = Atomic<Int>(0)
    private let gathered = Atomic<Int>(0)

    /// - Parameters:
    ///   - handoff: where messages go; the pipeline drains it with `popBatch`.
    ///   - clock: stamps `InboundMessage.receivedAt`.
    ///   - onEvent: called on the loop thread; must return quickly.
    public init(
        settings: MQTTSettings, handoff: MessageHandoff, clock: WallClock,
        onEvent: @escaping @Sendable (IngestEvent) -> Void
    ) {
        self.settings = settings
        self.handoff = handoff
        self.clock = clock
        self.onEvent = onEvent
        self.shared = Mutex(Shared(desiredFilters: Self.unique(settings.topicFilters)))
    }

    deinit { stop() }

    /// Validates the settings, prepares the client and starts the loop thread, which connects (and keeps
    /// reconnecting) on its own. Throws only for problems retrying cannot fix: bad settings, unreadable
    /// TLS files, no memory. An unreachable broker or a refused login arrive as `IngestEvent.error`.
    /// Does nothing when already running.
    public func start() throws(MQTTError) {
        let problems = settings.problems()
        if !problems.isEmpty { throw MQTTError.invalidSettings(problems.joined(separator: "; ")) }
        if shared.withLock({ $0.run != nil }) { return }

        let client = try MosquittoClient(clientID: settings.clientID, cleanStart: false, muteWakePair: true)
        try client.useMQTT5(receiveMaximum: settings.receiveMaximum)
        try client.setCredentials(username: settings.username, password: settings.password)
        if let tls = settings.tls { try client.setTLS(tls) }
        let wake = try WakeSignal()
        let finished = DispatchSemaphore(value: 0)

        stopRequested.store(false, ordering: .sequentiallyConsistent)
        shared.withLock { $0.run = Run(wake: wake, finished: finished) }
        handoff.setSpaceListener { [wake] in wake.signal() }

        let loop = IngestLoop(ingest: self, client: client, wake: wake)
        let thread = Thread {
            ThreadTuning.nameCurrentThread("anxin-ingest")
            loop.run()
            finished.signal()
        }
        thread.name = "anxin-mqtt-ingest"
        thread.start()
    }

    /// Sends DISCONNECT (the broker keeps the session and queues for it), stops the loop thread and waits
    /// for it. No message is pushed to the hand-off after this returns; drain it to finish the work in hand.
    public func stop() {
        guard let run = shared.withLock({ $0.run }) else { return }
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        run.wake.signal()
        run.finished.wait()
        handoff.setSpaceListener(nil)
        shared.withLock {
            $0.run = nil
            $0.connected = false
            $0.subscriptionsAcknowledged = false
        }
    }

    /// CONNACK accepted and the connection still up.
    public var isConnected: Bool { shared.withLock { $0.connected } }

    /// Connected, and the broker has acknowledged every current topic filter.
    public var subscriptionsAcknowledged: Bool { shared.withLock { $0.subscriptionsAcknowledged } }

    /// Replaces the topic filters (reload): new ones are subscribed, dropped ones unsubscribed, on the
    /// loop thread. `subscriptionsAcknowledged` is false until the broker acknowledged the change.
    public func updateSubscriptions(_ filters: [String]) {
        let wake = shared.withLock {
            $0.desiredFilters = Self.unique(filters)
            $0.filtersGeneration += 1
            $0.subscriptionsAcknowledged = false
            return $0.run?.wake
        }
        wake?.signal()
    }

    /// Every PUBLISH the broker delivered, oversize ones included.
    public var messagesReceived: Int { received.load(ordering: .relaxed) }
    /// Messages larger than `maxPayload`: counted, dropped, never copied.
    public var messagesOversize: Int { oversize.load(ordering: .relaxed) }
    /// How often reading paused because the hand-off was (nearly) full.
    public var handoffFullWaits: Int { fullWaits.load(ordering: .relaxed) }
    /// Messages that found the hand-off full and waited in the loop thread's overflow list (none lost).
    var messagesParked: Int { parked.load(ordering: .relaxed) }
    /// Read bursts whose acknowledgements were held back and sent together (held in the write buffer,
    /// or TCP_CORK over TLS).
    var heldBursts: Int { heldAcks.load(ordering: .relaxed) }
    /// Waits before a read, while messages streamed in one at a time (``ReadCoalescing``).
    var gatheredBursts: Int { gathered.load(ordering: .relaxed) }

    func countReceived() { received.add(1, ordering: .relaxed) }
    func countOversize() { oversize.add(1, ordering: .relaxed) }
    func countFullWait() { fullWaits.add(1, ordering: .relaxed) }
    func countParked() { parked.add(1, ordering: .relaxed) }
    func countGatheredBurst() { gathered.add(1, ordering: .relaxed) }
    func countHeldBurst() { heldAcks.add(1, ordering: .relaxed) }

    private static func unique(_ filters: [String]) -> [String] {
        var seen = Set<String>()
        return filters.filter { seen.insert($0).inserted }
    }
}
