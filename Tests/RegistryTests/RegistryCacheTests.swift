import AnxinCore
import Foundation
import XCTest

@testable import Registry

final class RegistryCacheTests: XCTestCase {
    var folder: TemporaryFolder!

    override func setUpWithError() throws {
        folder = try TemporaryFolder()
    }

    override func tearDown() {
        folder.remove()
    }

    private var cacheDirectory: String { folder.path + "/cache" }

    private func cacheFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: cacheDirectory).sorted()
    }

    func testSecondLoadComesFromCacheAndIsEqual() throws {
        let path = try folder.write(
            "registry.yaml", String(decoding: try RegistryFixtures.bytes("spec-example.yaml"), as: UTF8.self))
        let (first, firstCached) = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory)
        XCTAssertFalse(firstCached)
        XCTAssertEqual(try cacheFiles().count, 1)
        XCTAssertTrue(try cacheFiles()[0].hasSuffix(".cache"))
        let (second, secondCached) = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory)
        XCTAssertTrue(secondCached)
        XCTAssertEqual(second.residents, first.residents)
        XCTAssertEqual(second.beds, first.beds)
        XCTAssertEqual(second.bindings, first.bindings)
        XCTAssertEqual(second.residentIndex, first.residentIndex)
    }

    func testTheDaemonsBackgroundWriteLeavesTheSameCache() throws {
        let path = try folder.write(
            "registry.yaml", String(decoding: try RegistryFixtures.bytes("spec-example.yaml"), as: UTF8.self))
        let (first, firstCached) = try RegistryLoader.load(
            path: path, cacheDirectory: cacheDirectory, writeCacheInBackground: true)
        XCTAssertFalse(firstCached)
        RegistryLoader.finishCacheWrites()
        XCTAssertEqual(try cacheFiles().count, 1, "one cache file, no temporary left")
        let (second, secondCached) = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory)
        XCTAssertTrue(secondCached)
        XCTAssertEqual(second.residents, first.residents)
        XCTAssertEqual(second.bindings, first.bindings)
    }

    func testTheDigestOfPartsIsTheDigestOfThemJoined() {
        let bytes = (0..<61).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = RegistryDigest(bytes)
        // Every way of cutting it in three, empty parts and parts shorter than a word included.
        for i in 0...bytes.count {
            for j in i...bytes.count {
                let digest = bytes.withUnsafeBytes { raw in
                    RegistryDigest(parts: [
                        UnsafeRawBufferPointer(rebasing: raw[0..<i]), UnsafeRawBufferPointer(rebasing: raw[i..<j]),
                        UnsafeRawBufferPointer(rebasing: raw[j...]),
                    ])
                }
                XCTAssertEqual(digest, whole, "cut at \(i), \(j)")
            }
        }
        XCTAssertNotEqual(RegistryDigest(Array(bytes.dropLast())), whole)
    }

    func testTheStreamedFingerprintIsTheWholeFilesAndReadingGivesEveryByte() throws {
        let piece = 1 << 20
        for size in [0, 7, 8, 9, piece - 1, piece, piece + 3, 2 * piece + piece / 2 + 5] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            let path = try folder.write("f-\(size)", bytes)
            let read = try RegistryFile.read(path: path)
            XCTAssertEqual(read, bytes, "size \(size)")
            let whole = RegistryFingerprint(bytes: read, path: path)
            let streamed = try XCTUnwrap(RegistryFingerprint(streamingFile: path), "size \(size)")
            XCTAssertEqual(streamed, whole, "size \(size)")
        }
        XCTAssertNil(RegistryFingerprint(streamingFile: folder.path + "/missing"))
        XCTAssertThrowsError(try RegistryFile.read(path: folder.path + "/missing"))
        XCTAssertThrowsError(try RegistryFile.read(path: folder.path), "a folder is not a registry")
        // One byte changed anywhere changes the digest.
        var bytes = (0..<(piece + 100)).map { UInt8(truncatingIfNeeded: $0) }
        let before = try XCTUnwrap(RegistryFingerprint(streamingFile: try folder.write("g", bytes)))
        bytes[piece + 50] ^= 1
        let after = try XCTUnwrap(RegistryFingerprint(streamingFile: try folder.write("g", bytes)))
        XCTAssertNotEqual(before.digest, after.digest)
    }

    func testAReloadOfAnUnchangedRegistrySharesTheSnapshotInUse() throws {
        let path = try folder.write("registry.yaml", "residents:\n  - {id: R-1, name: 甲}\n")
        let (first, firstCached) = try RegistryLoader.load(
            path: path, cacheDirectory: cacheDirectory, reuseLastLoaded: true)
        XCTAssertFalse(firstCached)
        // Without its cache file, an unchanged registry is still not parsed again: the snapshot in use
        // is answered.
        for file in try cacheFiles() { try FileManager.default.removeItem(atPath: cacheDirectory + "/" + file) }
        let (second, secondCached) = try RegistryLoader.load(
            path: path, cacheDirectory: cacheDirectory, reuseLastLoaded: true)
        XCTAssertTrue(secondCached)
        XCTAssertEqual(second.residents, first.residents)
        XCTAssertEqual(try cacheFiles(), [], "nothing was decoded or written")
        // A changed registry is read again.
        _ = try folder.write("registry.yaml", "residents:\n  - {id: R-1, name: 乙}\n")
        let (third, thirdCached) = try RegistryLoader.load(
            path: path, cacheDirectory: cacheDirectory, reuseLastLoaded: true)
        XCTAssertFalse(thirdCached)
        XCTAssertEqual(third.residents.first?.name, "乙")
        // Without the option, the cache file decides as before.
        let (fourth, fourthCached) = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory)
        XCTAssertTrue(fourthCached)
        XCTAssertEqual(fourth.residents.first?.name, "乙")
    }

    func testChangingTheFileInvalidatesTheCache() throws {
        let path = try folder.write("registry.yaml", "residents:\n  - {id: R-1, name: 甲}\n")
        XCTAssertFalse(try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory).fromCache)
        XCTAssertTrue(try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory).fromCache)
        // Same size, different bytes: only the content hash can tell.
        _ = try folder.write("registry.yaml", "residents:\n  - {id: R-1, name: 乙}\n")
        let (changed, cached) = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory)
        XCTAssertFalse(cached)
        XCTAssertEqual(changed.residents.map(\.name), ["乙"])
        XCTAssertTrue(try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory).fromCache)
        XCTAssertEqual(try cacheFiles().count, 1, "rewritten in place, no temporary files left")
    }

    func testAnInvalidChangeIsReportedNotServedFromCache() throws {
        let path = try folder.write("registry.yaml", "residents:\n  - {id: R-1, name: 甲}\n")
        _ = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory)
        _ = try folder.write("registry.yaml", "residents:\n  - {id: R-1, nmae: 甲}\n")
        XCTAssertThrowsError(try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory)) { error in
            XCTAssertEqual((error as? RegistryLoadError)?.diagnostics.map(\.line), [2, 2])
        }
    }

    func testCorruptedCacheFallsBackToParsing() throws {
        let path = try folder.write(
            "registry.yaml", String(decoding: try RegistryFixtures.bytes("spec-example.yaml"), as: UTF8.self))
        let (original, _) = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory)
        let cacheFile = cacheDirectory + "/" + (try cacheFiles()[0])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: cacheFile)))
        bytes[bytes.count - 5] ^= 0x5A  // flip bits inside the payload
        try Data(bytes).write(to: URL(fileURLWithPath: cacheFile))
        let (reparsed, cached) = try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory)
        XCTAssertFalse(cached)
        XCTAssertEqual(reparsed.residents, original.residents)
        XCTAssertTrue(try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory).fromCache, "repaired")

        try Data(bytes.prefix(30)).write(to: URL(fileURLWithPath: cacheFile))  // truncated
        XCTAssertFalse(try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory).fromCache)
        try Data().write(to: URL(fileURLWithPath: cacheFile))  // empty
        XCTAssertFalse(try RegistryLoader.load(path: path, cacheDirectory: cacheDirectory).fromCache)
    }

    func testBinaryCodecRejectsGarbageWithoutCrashing() {
        func decodes(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { raw in (try? RegistryBinaryCodec.decode(raw)) != nil }
        }
        XCTAssertFalse(decodes([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))
        XCTAssertFalse(decodes([2, 1, 0x41]))
        XCTAssertTrue(decodes([0, 0]))
    }

    func testUnwritableCacheDirectoryStillLoads() throws {
        let path = try folder.write("registry.yaml", "residents: []\n")
        let blocker = try folder.write("file", "not a folder")
        let (s, cached) = try RegistryLoader.load(path: path, cacheDirectory: blocker + "/cache")
        XCTAssertFalse(cached)
        XCTAssertEqual(s.residents.count, 0)
    }
}
