import AnxinCore
import XCTest

/// The map behind the engine's tables of subjects and devices and the store's device cache: checked
/// against `Dictionary` through long random runs of adds, changes and removals, which exercise the
/// probe chains and the shifting back of entries after a removal.
final class DenseStringMapTests: XCTestCase {
    private func assertSame(
        _ map: DenseStringMap<Int>, _ model: [String: Int], file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(map.count, model.count, file: file, line: line)
        XCTAssertEqual(map.keys.count, map.values.count, file: file, line: line)
        for (key, value) in model {
            guard let i = map.index(forKey: key) else {
                XCTFail("\(key) missing", file: file, line: line)
                return
            }
            XCTAssertEqual(map.keys[i], key, file: file, line: line)
            XCTAssertEqual(map.values[i], value, file: file, line: line)
            XCTAssertEqual(map[key], value, file: file, line: line)
        }
        var seen: [String: Int] = [:]
        for (key, value) in map { seen[key] = value }
        XCTAssertEqual(seen, model, "iteration yields every entry once", file: file, line: line)
    }

    func testRandomAddsChangesAndRemovalsMatchADictionary() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<4 {
            var map = DenseStringMap<Int>()
            var model: [String: Int] = [:]
            // Few keys for many operations: the table fills, empties and refills, and removals land in
            // the middle of probe chains.
            let keySpace = [40, 300, 3000, 20_000][round]
            for step in 0..<30_000 {
                let key = "86506702\(Int.random(in: 0..<keySpace, using: &rng))"
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<5:
                    XCTAssertEqual(map.updateValue(step, forKey: key), model.updateValue(step, forKey: key))
                case 5..<8:
                    XCTAssertEqual(map.removeValue(forKey: key), model.removeValue(forKey: key))
                case 8:
                    map[key] = step
                    model[key] = step
                default:
                    if let i = map.index(forKey: key) { map.values[i] += 1 }
                    if model[key] != nil { model[key]! += 1 }
                }
                XCTAssertEqual(map[key], model[key])
                if step % 5000 == 0 { assertSame(map, model) }
            }
            assertSame(map, model)
            for key in Array(model.keys) {
                XCTAssertEqual(map.removeValue(forKey: key), model.removeValue(forKey: key))
            }
            XCTAssertTrue(map.isEmpty)
            XCTAssertNil(map.index(forKey: "8650670212"))
        }
    }

    func testARemovalMovesTheLastEntryIntoItsPlace() {
        var map: DenseStringMap<String> = ["a": "A", "b": "B", "c": "C"]
        XCTAssertEqual(map.keys, ["a", "b", "c"])
        XCTAssertEqual(map.removeValue(forKey: "a"), "A")
        XCTAssertEqual(map.keys, ["c", "b"])
        XCTAssertEqual(map.values, ["C", "B"])
        XCTAssertEqual(map.index(forKey: "c"), 0)
        XCTAssertNil(map.removeValue(forKey: "a"))
        map["b"] = nil
        XCTAssertEqual(map.keys, ["c"])
        map.removeAll(keepingCapacity: true)
        XCTAssertNil(map["c"])
        map["d"] = "D"
        XCTAssertEqual(map["d"], "D")
    }

    /// The point of it: a city's entries take far less than a dictionary's buckets.
    func testAHundredThousandEntriesKeepTheirBucketsToFourBytes() {
        var map = DenseStringMap<Int64>()
        map.reserveCapacity(100_000)
        for i in 0..<100_000 { map["86506702\(i)"] = Int64(i) }
        XCTAssertEqual(map.count, 100_000)
        XCTAssertEqual(map["8650670299999"], 99_999)
        XCTAssertNil(map["86506702100000"])
        XCTAssertLessThanOrEqual(map.bucketCount, 262_144, "at most half full, 4 bytes each: 1 MiB")
        XCTAssertGreaterThanOrEqual(map.bucketCount, 200_000)
    }
}
