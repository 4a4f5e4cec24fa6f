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
}
