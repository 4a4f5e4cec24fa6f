import AnxinCore
import AnxinTesting
import Foundation
import XCTest

/// The broker restarted under load (issue 4): the gateway connected, `LoadPublisher` sending 1,500 msg/s at
/// QoS 1 from 150 watches, the broker persisting as the shipped `Config/mosquitto.conf` does
/// (`persistence true`, `autosave_interval 60`, `autosave_on_changes false`, `max_queued_messages` 1,000,000).
///
/// What a broker SIGKILL may lose with those settings: everything that changed since its last save (at most
/// 60 s ago) — messages it acknowledged to a publisher but had not yet written to the gateway, and, when the
/// gateway's session is younger than the last save, the session itself, so also whatever is published after
/// the restart until the gateway has subscribed again.
final class FaultBrokerTests: XCTestCase {
    static let rate = 1_500
    /// Seconds of load between restarts.
    static let phaseSeconds = 3.0
    static let autosaveWindow: EpochMillis = 60_000

    /// SIGTERM saves the broker's state in full: every acknowledged message is stored, once.
    func testFaultBrokerSIGTERMMidStreamLosesNothingAndStoresNothingTwice() async throws {
        let run = try await run(restarts: [.terminate])
        XCTAssertEqual(run.lost.count, 0, "acknowledged but not stored, e.g. seq \(run.lost.prefix(5))")
        XCTAssertEqual(run.stored.duplicates, 0, "a reading stored twice")
        XCTAssertEqual(run.stored.strays, 0, "rows of the load's devices that no message carried")
        XCTAssertEqual(run.stored.copies.count, run.sent, "exactly the published messages are stored")
        faultFigure(
            "broker-sigterm",
            [
                "published": run.sent, "acknowledged": run.acked.count, "stored": run.stored.copies.count,
                "lost": run.lost.count, "duplicates": run.stored.duplicates, "resent": run.resent,
                "redelivered": run.redelivered, "rate": Self.rate, "broker_down_ms": run.restarts[0].downMs,
            ])
    }

    /// SIGKILL in steady state: the broker saved (here by a SIGTERM restart 3 s earlier, standing for an
    /// autosave) while the gateway was subscribed, so its restored session keeps the subscription and a stale
    /// queue. Lost: only what was acknowledged after that save and not yet delivered at the kill; everything
    /// else is stored exactly once, including what the restored stale queue delivers a second time.
    func testFaultBrokerSIGKILLAfterASaveLosesOnlyTheUnsavedUndeliveredMessages() async throws {
        let run = try await run(restarts: [.terminate, .kill])
        let save = run.restarts[0]
        let kill = run.restarts[1]
        XCTAssertEqual(run.stored.duplicates, 0, "a reading stored twice")
        XCTAssertEqual(run.stored.strays, 0, "rows of the load's devices that no message carried")
        let ackedAt = run.ackedAt
        let lostOutsideWindow = run.lost.filter { seq in
            guard let at = ackedAt[seq] else { return true }
            return at <= save.downAt || at > kill.downAt || at < kill.stopAt - Self.autosaveWindow
        }
        XCTAssertEqual(lostOutsideWindow.count, 0, "lost messages not acknowledged between the last save and the kill")
        let undelivered = run.undelivered(ackedAfter: save.downAt, before: kill.downAt)
        XCTAssertLessThanOrEqual(run.lost.count, undelivered, "lost messages the gateway had already received")
        XCTAssertGreaterThan(run.acked.filter { $0.ackedAt > kill.backAt }.count, Self.rate, "load after restart")
        faultFigure(
            "broker-sigkill-after-save",
            [
                "published": run.sent, "acknowledged": run.acked.count, "stored": run.stored.copies.count,
                "lost": run.lost.count, "duplicates": run.stored.duplicates, "window_s": Self.autosaveWindow / 1000,
                "acked_since_save": run.acked.filter { $0.ackedAt > save.downAt && $0.ackedAt <= kill.downAt }.count,
                "undelivered_at_kill": undelivered, "resent": run.resent, "redelivered": run.redelivered,
                "rate": Self.rate, "broker_down_ms": kill.downMs,
            ])
    }

    /// SIGKILL before the broker ever saved the gateway's session (it subscribed after the last save): the
    /// restarted broker knows no subscription, so what is published until the gateway reconnects and subscribes
    /// again is dropped too. The gateway must notice the lost session and subscribe again; after that, nothing
    /// is lost.
    func testFaultBrokerSIGKILLBeforeTheSessionWasSavedLosesUntilTheGatewayResubscribes() async throws {
        let run = try await run(restarts: [.kill])
        let kill = run.restarts[0]
        XCTAssertEqual(run.stored.duplicates, 0, "a reading stored twice")
        XCTAssertEqual(run.stored.strays, 0, "rows of the load's devices that no message carried")
        let ackedAt = run.ackedAt
        let lostBefore = run.lost.filter { (ackedAt[$0] ?? .max) <= kill.downAt }
        let lostAfter = run.lost.filter { (ackedAt[$0] ?? .max) > kill.downAt }
        XCTAssertLessThanOrEqual(
            lostBefore.count, run.undelivered(ackedAfter: kill.stopAt - Self.autosaveWindow, before: kill.downAt))
        // After the restart, losses form one gap: from the restart to the first message the gateway got again.
        // (Not counting resends the old broker had delivered before it died.)
        let storedAfter = run.acked.filter {
            $0.ackedAt > kill.downAt && (run.stored.receivedAt[$0.seq] ?? .min) > kill.downAt
        }
        let resubscribedAt = storedAfter.map(\.ackedAt).min() ?? .max
        let lostAfterResubscribing = lostAfter.filter { (ackedAt[$0] ?? .max) > resubscribedAt }
        XCTAssertEqual(lostAfterResubscribing.count, 0, "messages lost after the gateway had subscribed again")
        let gapMs = resubscribedAt - kill.backAt
        XCTAssertLessThan(gapMs, 5_000, "the gateway subscribed again within its first reconnect attempts")
        XCTAssertGreaterThan(storedAfter.count, Self.rate, "the load after the restart was stored")
        faultFigure(
            "broker-sigkill-unsaved-session",
            [
                "published": run.sent, "acknowledged": run.acked.count, "stored": run.stored.copies.count,
                "lost": run.lost.count, "lost_before_kill": lostBefore.count, "lost_after_restart": lostAfter.count,
                "resubscribe_gap_ms": gapMs, "duplicates": run.stored.duplicates, "resent": run.resent,
                "rate": Self.rate, "broker_down_ms": kill.downMs,
            ])
    }

    // MARK: - The run

    /// One broker stop and start.
    struct Restart {
        var how: TestBroker.Stop
        /// Just before the signal.
        var stopAt: EpochMillis
        /// The broker process had exited.
        var downAt: EpochMillis
        /// The broker accepted connections again.
        var backAt: EpochMillis
        var downMs: EpochMillis { backAt - stopAt }
    }

    struct Run {
        var sent: Int
        var acked: [LoadPublisher.Acknowledgement]
        var stored: StoredLoad
        /// Acknowledged messages not stored, by seq.
        var lost: [Int]
        var resent: Int
        /// Messages the gateway took from the broker more than once (received minus distinct stored).
        var redelivered: Int
        var restarts: [Restart]

        var ackedAt: [Int: EpochMillis] { Dictionary(acked.map { ($0.seq, $0.ackedAt) }, uniquingKeysWith: min) }

        /// Messages acknowledged in `(after, before]` that the gateway had not received by `before`.
        func undelivered(ackedAfter after: EpochMillis, before: EpochMillis) -> Int {
            acked.filter {
                $0.ackedAt > after && $0.ackedAt <= before && (stored.receivedAt[$0.seq] ?? .max) > before
            }.count
        }
    }

    /// Load; after each phase the broker is stopped as given and started again; one more phase; then drains,
    /// stops the gateway and reads its database.
    private func run(restarts plan: [TestBroker.Stop]) async throws -> Run {
        let h = try await GatewayHarness()
        try h.broker.usePersistence(.shipped)
        try await h.start()
        // 10 readings/s per watch, well inside the gateway's per-device flood guard.
        let load = LoadPublisher(port: h.broker.port, devices: Self.rate / 10, ratePerSecond: Self.rate)
        load.start()
        defer { load.stop(drainTimeout: 0) }  // when the test ends early; a no-op after the stop below
        let clock = SystemWallClock()
        let phase = Int(Double(Self.rate) * Self.phaseSeconds)
        var restarts: [Restart] = []
        for how in plan {
            try await waitForAcknowledgements(load, atLeast: load.acknowledgedCount + phase)
            let stopAt = clock.now()
            try h.broker.stop(how)
            let downAt = clock.now()
            try h.broker.start()
            restarts.append(Restart(how: how, stopAt: stopAt, downAt: downAt, backAt: clock.now()))
        }
        try await waitForAcknowledgements(load, atLeast: load.acknowledgedCount + phase)
        let drained = load.stop()
        XCTAssertTrue(drained, "the broker acknowledged every message in the end (\(load.inFlightCount) left)")
        XCTAssertEqual(load.connections, plan.count + 1, "the publisher reconnected after each restart")
        let caughtUp = try await h.waitUntilCaughtUp(marker: 1)
        XCTAssertTrue(
            caughtUp, "the gateway stored a marker published after the load; log:\n\(h.gateway.log.suffix(3000))")
        let received = Int(try await h.metric("anxin_messages_received_total") ?? 0)
        XCTAssertEqual(h.gateway.stop(), 0, "the gateway stops cleanly")
        let stored = try StoredLoad.read(database: h.databasePath, load: load)
        let acked = load.acknowledgements
        let run = Run(
            sent: load.sentCount, acked: acked, stored: stored,
            lost: Set(acked.map(\.seq)).filter { stored.copies[$0] == nil }.sorted(), resent: load.resentCount,
            redelivered: received - stored.copies.count - 1, restarts: restarts)
        await h.shutdown()
        return run
    }

    /// Lets the load run until the broker acknowledged `count` messages (at most 30 s).
    private func waitForAcknowledgements(_ load: LoadPublisher, atLeast count: Int) async throws {
        let deadline = Date().addingTimeInterval(30)
        while load.acknowledgedCount < count && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertGreaterThanOrEqual(load.acknowledgedCount, count, "load stalled: \(load.lastError ?? "no error")")
    }
}
