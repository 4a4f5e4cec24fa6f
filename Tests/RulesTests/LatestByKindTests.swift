import AnxinCore
import Foundation
import XCTest

@testable import Rules

final class LatestByKindTests: XCTestCase {
    /// Every kind fits the bit set.
    func testEveryKindHasABit() {
        XCTAssertLessThanOrEqual(ReadingKind.allCases.count, 16)
        XCTAssertEqual(ReadingKind.allCases.map(\.rawValue), Array(0..<UInt8(ReadingKind.allCases.count)))
    }

    /// The engine keeps one of each per resident and device, in dictionaries of a city's size: their
    /// fields are laid out without padding between them (the flags and the 8-byte place of the latest
    /// values in the engine's pool last).
    func testPerSubjectStateIsPacked() {
        XCTAssertEqual(MemoryLayout<LatestByKind>.size, 10)
        XCTAssertEqual(MemoryLayout<LatestRef>.stride, 8)
        XCTAssertEqual(MemoryLayout<SubjectState>.stride, 56)
        XCTAssertEqual(MemoryLayout<DeviceLiveness>.stride, 56)
    }

    /// Random sets and releases of many subjects in one pool agree with a dictionary per subject at every
    /// step; blocks given back are handed out again (the buffer stays the size of what is held at most
    /// at once, not of everything ever set), and values survive the buffer's growth.
    func testPoolAgreesWithADictionaryPerSubject() {
        var rng = SystemRandomNumberGenerator()
        let pool = LatestPool(capacity: 16)
        var refs = Array(repeating: LatestRef(), count: 300)
        var models = Array(repeating: [ReadingKind: TimedValue](), count: 300)
        var mostHeld = 0
        for step in 0..<40_000 {
            let s = Int.random(in: 0..<refs.count, using: &rng)
            if Int.random(in: 0..<25, using: &rng) == 0 {
                pool.release(&refs[s])
                models[s] = [:]
                XCTAssertTrue(refs[s].isEmpty)
            } else {
                let kind = ReadingKind.allCases.randomElement(using: &rng)!
                let v = TimedValue(value: Double(step), at: EpochMillis(step))
                pool.set(v, kind, in: &refs[s])
                models[s][kind] = v
            }
            let held = models.reduce(0) { $0 + $1.count }
            mostHeld = max(mostHeld, held)
            XCTAssertEqual(pool.liveSlots, held)
            // The subject just changed and one other, every kind.
            for t in [s, Int.random(in: 0..<refs.count, using: &rng)] {
                XCTAssertEqual(refs[t].count, models[t].count)
                for kind in ReadingKind.allCases {
                    XCTAssertEqual(pool.value(refs[t], kind), models[t][kind], "step \(step), subject \(t), \(kind)")
                }
                XCTAssertEqual(pool.entries(refs[t]).map(\.kind), models[t].keys.sorted { $0.rawValue < $1.rawValue })
            }
        }
        for s in refs.indices {
            for kind in ReadingKind.allCases { XCTAssertEqual(pool.value(refs[s], kind), models[s][kind]) }
        }
        XCTAssertGreaterThan(pool.slotCapacity, 16, "the buffer grew")
        // Each subject's blocks of every size it passed through may wait for reuse, but no more.
        XCTAssertLessThan(pool.slotsUsed, mostHeld * 3, "blocks given back were reused")
    }

    func testAgreesWithADictionary() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var model: [ReadingKind: LatestValue] = [:]
            var values = LatestValues()
            for step in 0..<60 {
                let kind = ReadingKind.allCases.randomElement(using: &rng)!
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    model[kind] = nil
                    values[kind] = nil
                } else {
                    let v = LatestValue(value: Double(step), at: Int64.random(in: 0..<1_000_000, using: &rng))
                    model[kind] = v
                    values[kind] = v
                }
                XCTAssertEqual(values.count, model.count)
                XCTAssertEqual(values.isEmpty, model.isEmpty)
                for k in ReadingKind.allCases {
                    XCTAssertEqual(values[k]?.value, model[k]?.value, "\(k) at step \(step)")
                    XCTAssertEqual(values[k]?.at, model[k]?.at, "\(k) at step \(step)")
                }
                XCTAssertEqual(values.entries.map(\.kind), model.keys.sorted { $0.rawValue < $1.rawValue })
            }
        }
    }

    /// JSON rule state saved when this was a dictionary is still read, and what is written now reads
    /// back as that dictionary.
    func testCodedAsTheDictionaryItReplaced() throws {
        let old: [ReadingKind: LatestValue] = [
            .spo2: LatestValue(value: 91, at: 3), .heartRate: LatestValue(value: 130, at: 5),
            .systolic: LatestValue(value: 181.5, at: 7),
        ]
        let read = try JSONDecoder().decode(LatestValues.self, from: JSONEncoder().encode(old))
        XCTAssertEqual(read.count, 3)
        XCTAssertEqual(read[.heartRate]?.value, 130)
        XCTAssertEqual(read[.systolic]?.at, 7)
        XCTAssertNil(read[.diastolic])
        let back = try JSONDecoder().decode([ReadingKind: LatestValue].self, from: JSONEncoder().encode(read))
        XCTAssertEqual(back.count, 3)
        XCTAssertEqual(back[.spo2]?.value, 91)
        XCTAssertEqual(back[.systolic]?.value, 181.5)
    }
}
