import AnxinCore
import Foundation
import XCTest

@testable import Rules

final class RuleMapTests: XCTestCase {
    func testSetReplaceRemoveKeepOrder() {
        var m = RuleMap<Int>()
        XCTAssertTrue(m.isEmpty)
        XCTAssertNil(m["a"])
        m["b"] = 2
        m["a"] = 1
        m["c"] = 3
        XCTAssertEqual(m.count, 3)
        XCTAssertEqual(Array(m.keys), ["b", "a", "c"], "order added")
        m["a"] = 10
        XCTAssertEqual(m["a"], 10)
        XCTAssertEqual(Array(m.values), [2, 10, 3], "replaced in place")
        m["b"] = nil
        XCTAssertEqual(Array(m.keys), ["a", "c"])
        XCTAssertTrue(m.contains("a"))
        XCTAssertFalse(m.contains("b"))
        XCTAssertFalse(RuleMap<Int>().contains("a"))
        XCTAssertEqual(m.removeValue(forKey: "c"), 3)
        XCTAssertNil(m.removeValue(forKey: "c"))
        m["zz"] = nil
        XCTAssertEqual(m.map(\.key), ["a"])
        // A key equal in bytes but a different string object is the same key.
        let built = String("a".utf8.map { Character(UnicodeScalar($0)) })
        XCTAssertEqual(m[built], 10)
    }

    /// Encoded as a JSON object by name, as the dictionary it replaced was, and decoded from one (state
    /// saved by earlier versions as JSON).
    func testCodableAsJSONObject() throws {
        var m = RuleMap<Int>()
        m["x"] = 1
        m["w"] = 2
        let data = try JSONEncoder().encode(m)
        XCTAssertEqual(try JSONDecoder().decode([String: Int].self, from: data), ["x": 1, "w": 2])
        let back = try JSONDecoder().decode(RuleMap<Int>.self, from: Data(#"{"b":2,"a":1}"#.utf8))
        XCTAssertEqual(back.map(\.key), ["a", "b"], "decoded in name order")
        XCTAssertEqual(back["b"], 2)
        XCTAssertThrowsError(try JSONDecoder().decode(RuleMap<Int>.self, from: Data("[1]".utf8)))
    }

    /// The subject visited last is reached without a lookup; any other change of the subjects forgets
    /// where it was: a copy of them made meanwhile keeps its own values, a removed subject is made
    /// anew, and growing the table (which moves every entry) is followed.
    func testVisitedSubjectFollowsCopiesRemovalsAndGrowth() {
        let h = Harness()
        let minute: EpochMillis = 60_000
        func heartRate() -> Double? { h.engine.subjects["R-0001"]?.latest[.heartRate]?.value }
        _ = h.reading(.heartRate, 80, at: t0)
        XCTAssertEqual(h.engine.visited?.key, "R-0001")
        let copy = h.engine.subjects
        _ = h.reading(.heartRate, 90, at: t0 + minute)
        XCTAssertEqual(heartRate(), 90)
        XCTAssertEqual(copy["R-0001"]?.latest[.heartRate]?.value, 80, "the copy kept its value")
        h.engine.subjects.removeValue(forKey: "R-0001")
        XCTAssertNil(h.engine.visited)
        _ = h.reading(.heartRate, 100, at: t0 + 2 * minute)
        XCTAssertEqual(heartRate(), 100)
        XCTAssertEqual(h.engine.subjects["R-0001"]?.latest.count, 1, "made anew")
        for i in 0..<5_000 { h.engine.subjects["X-\(i)"] = SubjectState(residentID: "X-\(i)") }
        XCTAssertNil(h.engine.visited)
        _ = h.reading(.heartRate, 110, at: t0 + 3 * minute)
        _ = h.reading(.heartRate, 120, at: t0 + 4 * minute)
        XCTAssertEqual(heartRate(), 120)
        XCTAssertNil(h.engine.subjects["X-7"]?.latest[.heartRate], "no other subject written")
    }
}
