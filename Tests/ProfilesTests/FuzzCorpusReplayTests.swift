import AnxinCore
import Foundation
import XCTest

@testable import Profiles

/// Replays the fuzzers' seed corpus (Fuzz/Corpus) without the sanitizer build, so that CI
/// catches a crash that a fuzz run once found. Seeds named `*.msg` / `*.yaml` are known-good
/// shapes (except `bad-*`); any other file is a regression input that need only not crash.
final class FuzzCorpusReplayTests: XCTestCase {
    static let corpus = Fixtures.repoRoot.appendingPathComponent("Fuzz/Corpus")

    func files(_ folder: String) throws -> [(name: String, bytes: [UInt8])] {
        let dir = Self.corpus.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }
        return names.sorted().map { name in
            (name, [UInt8](FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) ?? Data()))
        }
    }

    /// As the fuzzer splits its input: the topic up to the first newline, the payload after it
    /// without one final newline.
    func testDecodeCorpusReplays() throws {
        let seeds = try files("decode")
        XCTAssertGreaterThanOrEqual(seeds.count, Fixtures.messageFiles.count)
        var output = DecodeOutput()
        for (name, bytes) in seeds {
            let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
            let topic = String(decoding: bytes[..<newline], as: UTF8.self)
            var payload = Array(bytes[min(newline + 1, bytes.count)...])
            if payload.last == 0x0A { payload.removeLast() }
            let failure = Fixtures.shipped.decode(
                topic: topic, payload: payload, receivedAt: Fixtures.receivedAt, into: &output)
            guard name.hasSuffix(".msg"), !name.hasPrefix("bad-") else { continue }
            XCTAssertNil(failure, "\(name): \(failure.map(\.description) ?? "")")
            XCTAssertFalse(output.observations.isEmpty, name)
        }
    }

    func testProfileCorpusReplays() throws {
        let seeds = try files("profile")
        XCTAssertFalse(seeds.isEmpty)
        for (name, bytes) in seeds {
            let text = String(decoding: bytes, as: UTF8.self)
            do throws(ProfileLoadError) {
                let set = try ProfileSet.load(
                    sources: [(path: name, text: text)], defaultUTCOffsetSeconds: Fixtures.chinaOffset)
                XCTAssertEqual(set.profileIDs.count, 1, name)
            } catch {
                XCTAssertFalse(name.hasSuffix(".yaml"), "\(name): \(error.diagnostics.map(\.description))")
            }
        }
    }
}
