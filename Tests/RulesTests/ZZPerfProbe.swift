import AnxinCore
import XCTest
@testable import Rules
final class ZZPerfProbe: XCTestCase {
    func testProbe() {
        let h = Harness()
        var out: [Decision] = []
        let start = Date()
        for i in 0..<200_000 {
            let t = t0 + EpochMillis(i) * 1000
            let r = Reading(device: "w\(i % 1000)", profile: "p", kind: .heartRate, value: .number(80), measuredAt: t, receivedAt: t)
            h.engine.observe(.reading(r), context: SubjectContext(residentID: "R\(i % 1000)", thresholds: [:]), into: &out)
        }
        print("PROBE 200k observe:", Date().timeIntervalSince(start))
        let s2 = Date()
        for _ in 0..<100 { _ = h.engine.exportState() }
        print("PROBE 100 exports of 2000 keys:", Date().timeIntervalSince(s2))
    }
}
