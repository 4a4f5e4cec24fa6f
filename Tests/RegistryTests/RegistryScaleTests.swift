import AnxinCore
import Foundation
import XCTest

@testable import Registry

final class RegistryScaleTests: XCTestCase {
    /// 100,000 residents, each with a wristband, a bed with a mattress sensor and a
    /// contact: parsed once, then served from the cache. Times are printed, not asserted.
    func testHundredThousandResidentsUncachedThenCached() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let count = 100_000
        var yaml = "residents:\n"
        yaml.reserveCapacity(count * 260)
        var beds = "beds:\n"
        beds.reserveCapacity(count * 60)
        for i in 0..<count {
            let n = String(i)
            yaml += "  - id: R-\(n)\n    name: 居民\(n)\n    bed: B-\(n)\n    room: \(i / 100)号楼\(i % 100)室\n"
            yaml += "    phone: \"138\(n)\"\n    contacts: [{name: 家属\(n), relation: 儿子, phone: \"139\(n)\"}]\n"
            yaml += "    care_level: \(i % 5)\n    devices: [\"W\(n)\"]\n"
            beds += "  - code: B-\(n)\n    devices: [\"S\(n)\"]\n"
        }
        let path = try folder.write("registry.yaml", yaml + beds)
        let cacheDirectory = folder.path + "/cache"

        let clock = ContinuousClock()
        var first: (RegistrySnapshot, fromCache: Bool)?
        let parse = try clock.measure { first = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory) }
        var second: (RegistrySnapshot, fromCache: Bool)?
        let cached = try clock.measure { second = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory) }
        print("registry of \(count) residents: parsed in \(parse), from cache in \(cached)")

        let a = try XCTUnwrap(first)
        let b = try XCTUnwrap(second)
        XCTAssertFalse(a.fromCache)
        XCTAssertTrue(b.fromCache)
        XCTAssertEqual(a.0.residents.count, count)
        XCTAssertEqual(b.0.residents, a.0.residents)
        XCTAssertEqual(b.0.beds, a.0.beds)
        XCTAssertEqual(b.0.resident(forDevice: "S99999")?.id, "R-99999")
        XCTAssertEqual(b.0.resident(forDevice: "W4242")?.contacts.first?.phone, "1394242")
    }

    /// A parse that gives back the file's pages as it goes (the loader's, once it gave the bytes up)
    /// reads every entry as one that keeps them: each part gives back only pages it has composed.
    func testGivingBackTheFilesPagesWhileParsingReadsTheSameEntries() throws {
        let count = 20_000
        var yaml = "residents:\n"
        for i in 0..<count {
            yaml += "  - id: R-\(i)\n    name: 居民\(i)\n    bed: B-\(i)\n    address: 昆明市晋宁区昆阳街道月山社区\(i)号\n"
            yaml += "    contacts: [{name: 家属\(i), relation: 儿子, phone: \"139\(i)\"}]\n    devices: [\"W\(i)\"]\n"
        }
        let bytes = Array(yaml.utf8)
        XCTAssertGreaterThan(bytes.count, 4 << 20, "parts of more than a megabyte each")
        for parts in [1, 2, 3] {
            let kept = try XCTUnwrap(RegistryBlockYAML.draft(bytes: bytes, path: "r.yaml", parts: parts))
            let released = try XCTUnwrap(
                RegistryBlockYAML.draft(bytes: Array(bytes), path: "r.yaml", parts: parts, releasingRead: true))
            XCTAssertEqual(released.residents.count, count)
            XCTAssertTrue(released.sameEntries(as: kept), "\(parts) parts")
            XCTAssertEqual(released.residents[count - 1].resident.address, "昆明市晋宁区昆阳街道月山社区\(count - 1)号")
        }
        XCTAssertEqual(bytes.count, Array(yaml.utf8).count, "the caller's bytes are untouched")
        XCTAssertEqual(bytes, Array(yaml.utf8))
    }
}
