import AnxinCore
import CSocketBuffer
import Dispatch
import Foundation

/// The body of `MQTTIngest`'s loop thread, and the delegate of its `MosquittoClient`.
///
/// Everything here is confined to that one thread (libmosquitto's callbacks run inside our own
/// `readIncoming`/`writeOutgoing`/`housekeeping` calls), so none of it needs a lock.
final class IngestLoop: MosquittoClientDelegate, @unchecked Sendable {
    private enum Phase { case offline, awaitingConnack, online }

    private let ingest: MQTTIngest
    private let client: MosquittoClient
    private let wake: WakeSignal
    private let settings: MQTTSettings
    private let handoff: MessageHandoff
    private let clock: WallClock
    /// Free hand-off slots required before a socket read.
    let headroom: Int

    private var phase = Phase.offline
    private var nextAttemptAt: UInt64 = 0
    private var backoff = ReconnectBackoff()
    private var loginRefused = false
    private var stopping = false
    private var readerPaused = false
    /// Messages the hand-off had no room for, oldest first; drained before the next read.
    private var overflow: [InboundMessage] = []
    /// The slab this loop thread copies messages into (only the loop thread touches it).
    private var slab = MessageSlab(capacity: MessageSlab.size)
    /// Filters the broker's session holds, as far as this connection knows.
    private var brokerFilters = Set<String>()
    private var appliedGeneration = -1
    private var pendingSubscribes: [Int32: [String]] = [:]
    private var acknowledged = false
    /// Messages taken in the current burst of reads.
    private var burstMessages = 0
    private var coalescing = ReadCoalescing()

    init(ingest: MQTTIngest, client: MosquittoClient, wake: WakeSignal) {
        self.ingest = ingest
        self.client = client
        self.wake = wake
        self.settings = ingest.settings
        self.handoff = ingest.handoff
        self.clock = ingest.clock
        self.headroom = Swift.max(1, Swift.min(32, ingest.handoff.capacity / 4))
        client.delegate = self
    }

    func run() {
        while !ingest.stopRequested.load(ordering: .sequentiallyConsistent) {
            wake.drain()
            if phase == .offline {
                if Self.monotonicNanos() >= nextAttemptAt { attemptConnect() }
                if phase == .offline {
                    waitForWake(timeoutMs: Self.millisUntil(nextAttemptAt))
                    continue
                }
            }
            if phase == .online { syncSubscriptions() }

            moveOverflowToHandoff()
            let mayRead: Bool
            if overflow.isEmpty {
                mayRead = handoff.reserveForRead(headroom: headroom)
            } else if handoff.reserveForRead(headroom: 1) {
                continue  // the pipeline made room meanwhile: move the overflow first
            } else {
                mayRead = false
            }
            if !mayRead && !readerPaused { ingest.countFullWait() }
            readerPaused = !mayRead
            serviceSocket(mayRead: mayRead)
        }
        shutdown()
    }

    // MARK: - Socket

    private func serviceSocket(mayRead: Bool) {
        let socket = client.socketDescriptor
        guard socket >= 0 else {
            connectionEnded(reason: "the connection closed")
            return
        }
        var events: Int16 = 0
        if mayRead { events |= Int16(POLLIN) }
        // Acknowledgements the kernel had no room for wait for it to have some.
        let held = anxin_write_buffer_held() > 0
        if client.wantsWrite || held { events |= Int16(POLLOUT) }
        var fds = [pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0)]
        if events != 0 { fds.append(pollfd(fd: socket, events: events, revents: 0)) }
        // Bytes already read into the buffer are not the kernel's to report: read them without waiting.
        let buffered = mayRead && anxin_read_buffer_pending() > 0
        // At most a second between keepalive checks.
        _ = poll(&fds, nfds_t(fds.count), buffered ? 0 : 1000)
        let revents = (fds.count > 1 ? fds[1].revents : 0) | (buffered ? Int16(POLLIN) : 0)
        do {
            if held && revents & Int16(POLLOUT) != 0 { _ = anxin_write_buffer_flush() }
            if mayRead && revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                // What the socket holds is read in one burst, not a poll (and a hand-off check) per
                // message: up to the headroom reserved (a read normally delivers one message), until
                // libmosquitto finds no more bytes (EAGAIN), and never past a message parked in the
                // overflow list, so the list stays within what one read can deliver.
                //
                // libmosquitto writes each message's acknowledgement (PUBACK) as it reads the message. Over
                // plain TCP those writes are held (socket_buffer.c) and leave together when the burst ends
                // (below), in one system call. Over TLS, when more messages wait after the first, the socket
                // is corked for the rest of the burst instead: one TCP segment, though still a write per
                // message, and the first message's acknowledgement goes out at once.
                var reads = 0
                var corked = false
                // Uncorked however the burst ends, a failed read included.
                defer {
                    if corked {
                        ingest.countHeldBurst()
                        if client.socketDescriptor == socket { _ = Self.cork(socket, false) }
                    }
                }
                while true {
                    errno = 0
                    try client.readIncoming()
                    reads += 1
                    let more = errno != EAGAIN && errno != EWOULDBLOCK
                    guard more, reads < headroom, overflow.isEmpty, client.socketDescriptor == socket else { break }
                    if !corked && settings.qos > 0 && settings.tls != nil { corked = Self.cork(socket, true) }
                }
                if reads > 1 && anxin_write_buffer_held() > 0 { ingest.countHeldBurst() }
            }
            if client.socketDescriptor >= 0 && revents & Int16(POLLOUT | POLLHUP | POLLERR) != 0
                && client.wantsWrite
            {
                try client.writeOutgoing()
            }
            if client.socketDescriptor >= 0 { try client.housekeeping() }
        } catch {
            connectionEnded(reason: error.detail)
        }
        // Nothing written this turn (acknowledgements, a subscription, a keepalive ping) waits in the
        // buffer while the loop waits in poll: it is sent now, or POLLOUT is awaited for the rest.
        if anxin_write_buffer_held() > 0 { _ = anxin_write_buffer_flush() }
        handoff.wakeConsumer()
        // What was read is acknowledged and handed over; while messages stream in one at a time, the
        // next ones gather for a moment (ReadCoalescing).
        if burstMessages > 0 {
            let wait = coalescing.afterBurst(messages: burstMessages, now: Self.monotonicNanos())
            burstMessages = 0
            if wait > 0 && !ingest.stopRequested.load(ordering: .relaxed) {
                ingest.countGatheredBurst()
                usleep(UInt32(wait / 1000))
            }
        }
        if client.socketDescriptor < 0 && phase != .offline {
            connectionEnded(reason: "the connection closed")
        }
    }

    /// Holds back (true) or sends at once (false, with what was held) what is written to a TCP socket.
    /// False when it could not be set (not TCP).
    private static func cork(_ socket: Int32, _ on: Bool) -> Bool {
        var value: Int32 = on ? 1 : 0
        return setsockopt(socket, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    private func attemptConnect() {
        do {
            anxin_socket_buffer_attach(-1)
            try client.connect(
                host: settings.host, port: settings.port, keepAlive: settings.keepAlive,
                sessionExpiry: settings.sessionExpiry, receiveMaximum: settings.receiveMaximum)
            // libmosquitto reads a packet in three or more read() calls and writes each acknowledgement with
            // a write() of its own. Over plain TCP the reads are served from a buffer filled by one kernel
            // read, and the writes held and sent together (socket_buffer.c). TLS goes through OpenSSL's own
            // buffers and is left alone.
            if settings.tls == nil { anxin_socket_buffer_attach(client.socketDescriptor) }
            phase = .awaitingConnack
            loginRefused = false
        } catch {
            let delay = scheduleRetry()
            if settings.tls != nil, let failure = client.tlsFailure {
                emit(.error(tlsRefusal(failure, delay: delay)))
            } else if error.kind == .tls
                || (settings.tls != nil && ![.connectionRefused, .lookupFailed, .timeout].contains(error.kind))
            {
                // A TLS session the broker ends mid-handshake reads as a protocol error (EPROTO).
                emit(.error(tlsRefusal(error.detail, delay: delay)))
            } else {
                emit(
                    .error(
                        "cannot reach the MQTT broker at \(settings.host):\(settings.port) (\(error.detail)); "
                            + "retrying in \(Self.seconds(delay))"))
            }
        }
    }

    /// Idempotent: libmosquitto's disconnect callback and a failed read/write may both report one drop.
    private func connectionEnded(reason: String) {
        // What the buffer holds was never acknowledged: the broker sends it again to the session.
        anxin_socket_buffer_attach(-1)
        guard phase != .offline else { return }
        let wasOnline = phase == .online
        phase = .offline
        pendingSubscribes = [:]
        setAcknowledged(false)
        ingest.shared.withLock { $0.connected = false }
        if stopping {
            if wasOnline { emit(.disconnected(reason: "stopped")) }
            return
        }
        let delay = scheduleRetry()
        if wasOnline {
            emit(.disconnected(reason: "\(reason); reconnecting in \(Self.seconds(delay))"))
        } else if !loginRefused, settings.tls != nil {
            // Over TLS 1.3 the broker checks the client certificate after the client's handshake has finished,
            // so a refused certificate shows up as the session ending before CONNACK.
            emit(.error(tlsRefusal(client.tlsFailure ?? reason, delay: delay)))
        } else if !loginRefused {
            emit(
                .error(
                    "the MQTT broker closed the connection before accepting it (\(reason)); "
                        + "retrying in \(Self.seconds(delay))"))
        }
    }

    /// What went wrong with TLS, from OpenSSL's reason: our side not trusting the broker's
    /// certificate, or the broker ending the session (it did not accept our client certificate).
    /// Which call reports it (connect or a later read) depends on timing; the text does not.
    private func tlsRefusal(_ failure: String, delay: Double) -> String {
        if failure.contains("certificate verify failed") || failure.contains("handshake") {
            return "the TLS handshake with the MQTT broker at \(settings.host):\(settings.port) failed "
                + "(\(failure)): check mqtt.tls.ca_file, cert_file and key_file; retrying in \(Self.seconds(delay))"
        }
        return "the MQTT broker ended the TLS session before accepting the login "
            + "(\(failure)): check that it trusts mqtt.tls.cert_file; retrying in \(Self.seconds(delay))"
    }

    private func scheduleRetry() -> Double {
        let delay = backoff.nextDelay(unit: Double.random(in: 0..<1))
        nextAttemptAt = Self.monotonicNanos() + UInt64(delay * 1e9)
        return delay
    }

    private func waitForWake(timeoutMs: Int) {
        var fds = [pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 1, Int32(Swift.min(Swift.max(timeoutMs, 0), 1000)))
    }

    private func shutdown() {
        stopping = true
        if client.socketDescriptor >= 0 {
            client.disconnect()
            var attempts = 0
            while client.socketDescriptor >= 0 && client.wantsWrite && attempts < 100 {
                try? client.writeOutgoing()
                attempts += 1
            }
        }
        connectionEnded(reason: "stopped")
        handoff.pushBeyondCapacity(overflow)
        overflow.removeAll()
    }

    // MARK: - Messages

    private func moveOverflowToHandoff() {
        guard !overflow.isEmpty else { return }
        var moved = 0
        while moved < overflow.count && handoff.push(overflow[moved]) { moved += 1 }
        overflow.removeFirst(moved)
    }

    func mosquittoDidReceive(topic: UnsafePointer<CChar>, payload: UnsafeRawBufferPointer) {
        ingest.countReceived()
        burstMessages += 1
        guard payload.count <= settings.maxPayload else {
            ingest.countOversize()
            return
        }
        // Copied into the slab being filled (see InboundMessage), a new one when it has no room.
        let topicBytes = UnsafeRawBufferPointer(start: topic, count: strlen(topic))
        let needed = topicBytes.count + payload.count
        if slab.room < needed { slab = MessageSlab(capacity: max(MessageSlab.size, needed)) }
        let message = InboundMessage(
            slab: slab, at: slab.append(topic: topicBytes, payload: payload), topicCount: topicBytes.count,
            payloadCount: payload.count, receivedAt: clock.now())
        // The pipeline is woken once the burst of reads ends (`serviceSocket`), not for each message.
        if overflow.isEmpty && handoff.push(message, wake: false) { return }
        overflow.append(message)
        ingest.countParked()
    }

    // MARK: - Session

    func mosquittoDidConnect(reasonCode: Int32, sessionPresent: Bool) {
        guard reasonCode == 0 else {
            loginRefused = true
            let text = MosquittoClient.reasonText(reasonCode)
            if reasonCode == 134 || reasonCode == 135 {
                emit(
                    .error(
                        "the MQTT broker refused the login (\(text)): check mqtt.username and "
                            + "mqtt.password_file; retrying with backoff"))
            } else {
                emit(
                    .error(
                        "the MQTT broker refused the connection (\(text), reason \(reasonCode)); "
                            + "retrying with backoff"))
            }
            return
        }
        phase = .online
        backoff.reset()
        if !sessionPresent { brokerFilters = [] }
        appliedGeneration = -1
        ingest.shared.withLock { $0.connected = true }
        emit(.connected(sessionPresent: sessionPresent))
        syncSubscriptions()
    }

    func mosquittoDidDisconnect(code: Int32) {
        connectionEnded(reason: code == 0 ? "disconnected" : MosquittoClient.errorText(code))
    }

    /// Brings the broker's subscriptions in line with the wanted filters (after connect or a reload).
    private func syncSubscriptions() {
        let (wanted, generation) = ingest.shared.withLock { ($0.desiredFilters, $0.filtersGeneration) }
        guard generation != appliedGeneration else { return }
        appliedGeneration = generation
        acknowledged = false
        let inFlight = Set(pendingSubscribes.values.joined())
        let toAdd = wanted.filter { !brokerFilters.contains($0) && !inFlight.contains($0) }
        let toRemove = brokerFilters.subtracting(wanted).sorted()
        do {
            if !toRemove.isEmpty {
                _ = try client.unsubscribe(toRemove)
                brokerFilters.subtract(toRemove)
            }
            if !toAdd.isEmpty {
                let mid = try client.subscribe(toAdd, qos: settings.qos)
                pendingSubscribes[mid] = toAdd
            }
        } catch {
            emit(.error("cannot update the MQTT subscriptions (\(error.detail)); retrying after reconnect"))
        }
        updateAcknowledged()
    }

    func mosquittoDidSubscribe(messageID: Int32, grantedQoS: UnsafeBufferPointer<Int32>) {
        guard let filters = pendingSubscribes.removeValue(forKey: messageID) else { return }
        for (i, filter) in filters.enumerated() {
            let code = i < grantedQoS.count ? grantedQoS[i] : 0x80
            if code >= 0x80 {
                emit(
                    .error(
                        "the MQTT broker refused the subscription to \(filter) "
                            + "(\(MosquittoClient.reasonText(code))); nothing arrives on it"))
            } else {
                brokerFilters.insert(filter)
            }
        }
        // A reload may have dropped a filter while its SUBACK was in flight: diff again.
        appliedGeneration = -1
        syncSubscriptions()
    }

    /// Checks and publishes "all filters acknowledged" under the lock `updateSubscriptions` takes, so a
    /// concurrent reload is never reported as acknowledged.
    private func updateAcknowledged() {
        let ready = phase == .online && pendingSubscribes.isEmpty
        let applied = appliedGeneration
        let value = ingest.shared.withLock { shared in
            let v = ready && applied == shared.filtersGeneration
            shared.subscriptionsAcknowledged = v
            return v
        }
        if value && !acknowledged { emit(.subscribed) }
        acknowledged = value
    }

    private func setAcknowledged(_ value: Bool) {
        ingest.shared.withLock { $0.subscriptionsAcknowledged = value }
        acknowledged = value
    }

    private func emit(_ event: IngestEvent) { ingest.onEvent(event) }

    // MARK: - Time

    static func monotonicNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func millisUntil(_ deadline: UInt64) -> Int {
        let now = monotonicNanos()
        return deadline > now ? Int((deadline - now) / 1_000_000) + 1 : 0
    }

    static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
