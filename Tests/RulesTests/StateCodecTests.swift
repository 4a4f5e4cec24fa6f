import AnxinCore
import Foundation
import XCTest

@testable import Rules

/// The binary form of saved rule state: every field comes back, JSON saved by earlier versions is still
/// read, and damaged blobs are refused rather than misread.
final class StateCodecTests: XCTestCase {
    /// A state with every part: latest values, a run and a backfill, a bed watch, an escalating alert.
    func richState() -> (Harness, [String: [UInt8]]) {
        let h = Harness(staffNotices: true)
        h.tick(t0)
        h.reading(.spo2, 97, at: t0)
        h.series(.heartRate, 150, from: t0, to: t0 + 3 * minute)
        h.reading(.heartRate, 150, at: t0 + 30 * second)  // late: a backfill run
        h.reading(.inBed, 0, at: t0 - 8 * 3600_000 + 2 * 3600_000)  // 02:00 local: a night bed watch
        XCTAssertEqual(h.engine.unresolvedAlertIDs.count, 1)
        return (h, h.engine.exportState())
    }

    func testBinaryRoundTripKeepsEveryField() throws {
        let (h, saved) = richState()
        let subject = try XCTUnwrap(saved["subject:R-0001"])
        XCTAssertEqual(subject.first, StateCodec.version1)
        let original = try XCTUnwrap(h.engine.subjects["R-0001"])
        let pool = LatestPool()
        let back = try XCTUnwrap(StateCodec.decodeSubject(subject, latestIn: pool))
        XCTAssertEqual(canonical(back, pool), canonical(original, h.engine.latestPool))
        XCTAssertEqual(h.engine.latestValues(of: "R-0001").count, 2, "heart rate and SpO2")
        XCTAssertFalse(original.beds.isEmpty)
        XCTAssertNotNil(original.alerts.values.first?.escalation)
        XCTAssertTrue(original.progress.values.contains { $0.backfill != nil })
        let device = try XCTUnwrap(saved["device:watch-1"])
        XCTAssertEqual(
            canonicalJSON(try XCTUnwrap(StateCodec.decodeDevice(device, latestIn: pool))),
            canonicalJSON(try XCTUnwrap(h.engine.devices["watch-1"])))
        // Smaller than the JSON it replaces.
        XCTAssertLessThan(
            subject.count,
            try JSONEncoder().encode(SubjectStateJSON(original, latest: h.engine.latestValues(of: "R-0001"))).count)
    }

    func testJSONSavedByEarlierVersionsIsRestored() throws {
        let (a, _) = richState()
        var saved: [String: [UInt8]] = [:]
        let json = JSONEncoder()
        saved["engine"] = [UInt8](try json.encode(a.engine.clock))
        for (k, st) in a.engine.subjects {
            saved["subject:" + k] = [UInt8](try json.encode(SubjectStateJSON(st, latest: a.engine.latestValues(of: k))))
        }
        for (k, d) in a.engine.devices { saved["device:" + k] = [UInt8](try json.encode(d)) }
        let b = Harness(staffNotices: true)
        b.engine.restoreState(saved)
        XCTAssertEqual(b.engine.unresolvedAlertIDs, a.engine.unresolvedAlertIDs)
        XCTAssertEqual(
            canonical(try XCTUnwrap(b.engine.subjects["R-0001"]), b.engine.latestPool),
            canonical(try XCTUnwrap(a.engine.subjects["R-0001"]), a.engine.latestPool))
        // And it behaves the same: the open alert escalates on schedule in both.
        XCTAssertEqual(b.tick(t0 + 10 * minute).map(\.summary), a.tick(t0 + 10 * minute).map(\.summary))
    }

    func testDamagedBlobsAreRefused() throws {
        let (_, saved) = richState()
        let subject = try XCTUnwrap(saved["subject:R-0001"])
        for cut in [1, 2, subject.count / 2, subject.count - 1] {
            XCTAssertNil(StateCodec.decodeSubject(Array(subject.prefix(cut)), latestIn: LatestPool()), "cut at \(cut)")
        }
        XCTAssertNil(StateCodec.decodeSubject(subject + [0], latestIn: LatestPool()), "trailing byte")
        var huge = [StateCodec.version1, 0]
        huge += [0xff, 0xff, 0xff, 0xff, 0x0f]  // a count far past the blob
        XCTAssertNil(StateCodec.decodeSubject(huge, latestIn: LatestPool()))
        XCTAssertNil(StateCodec.decodeDevice([StateCodec.version1, 2], latestIn: LatestPool()))
    }

    /// A subject's state as text, latest values in kind order.
    func canonical(_ st: SubjectState, _ pool: LatestPool) -> String {
        let latest = pool.entries(st.latest).map { "\($0.kind):\($0.value.value)@\($0.value.at)" }
        return latest.joined(separator: ",") + " " + canonicalJSON(SubjectStateJSON(st, latest: LatestValues()))
    }

    func canonicalJSON<T: Encodable>(_ v: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(v)) ?? Data(), as: UTF8.self)
    }
}
