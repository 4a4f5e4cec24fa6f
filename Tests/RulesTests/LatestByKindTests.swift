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

    /// Random sets, replacements and removals agree with a dictionary at every step.
    /// The engine keeps one of each per resident and device, in dictionaries of a city's size: their
    /// fields are laid out without padding between them (the flags and the 10-byte latest values last).
    func testPerSubjectStateIsPacked() {
        XCTAssertEqual(MemoryLayout<LatestByKind>.size, 10)
        XCTAssertEqual(MemoryLayout<SubjectState>.stride, 64)
        XCTAssertEqual(MemoryLayout<DeviceLiveness>.stride, 48)
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
