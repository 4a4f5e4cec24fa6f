import AnxinCore
import Foundation
import XCTest

@testable import Rules

/// Replays the `fuzz-rules` seed corpus (Fuzz/Corpus/rules) through the fuzzer's entry,
/// `RuleSet.load(text:path:)`, without the sanitizer build, so that CI catches a crash a fuzz run
/// once found. Seeds named `*.yaml` (except `bad-*`) are known-good rules files and must load;
/// any other seed is a regression input that must load or fail with a readable diagnostic.
/// Every seed is also replayed cut short at several points and with a few bytes overwritten,
/// each of which must end the same way: loaded, or `path:line: message` diagnostics.
final class FuzzCorpusRulesReplayTests: XCTestCase {
    /// The repository root, found from this file even through a symlinked Tests folder.
    static let repoRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = repoRoot.appendingPathComponent("Fuzz/Corpus/rules")

    func seeds() throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { !$0.hasPrefix(".") }
        return try names.sorted().map { name in
            (name, [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name))))
        }
    }

    /// As the fuzzer does: the bytes as (lossy) UTF-8 text.
    func replay(_ bytes: [UInt8], path: String) -> Result<RuleSet, RuleLoadError> {
        do throws(RuleLoadError) {
            return .success(try RuleSet.load(text: String(decoding: bytes, as: UTF8.self), path: path))
        } catch {
            return .failure(error)
        }
    }

    /// A refusal must say where and what: at least one diagnostic, each naming the file, a line
    /// within it (0 = the whole file) and a message. `lines` counts newlines; the YAML reader
    /// reports an unexpected end of a file that does not end in a newline one line further on.
    func assertClear(_ error: RuleLoadError, path: String, lines: Int, _ label: String) {
        XCTAssertFalse(error.diagnostics.isEmpty, "\(label): refused without a diagnostic")
        for d in error.diagnostics {
            XCTAssertEqual(d.path, path, label)
            XCTAssertTrue((0...lines + 2).contains(d.line), "\(label): line \(d.line) of \(lines): \(d)")
            XCTAssertFalse(d.message.trimmingCharacters(in: .whitespaces).isEmpty, "\(label): empty message")
        }
    }

    func testCorpusIsNotEmptyAndTheKnownGoodSeedsLoad() throws {
        let all = try seeds()
        XCTAssertFalse(all.isEmpty, "Fuzz/Corpus/rules is empty")
        let good = all.filter { $0.name.hasSuffix(".yaml") && !$0.name.hasPrefix("bad-") }
        XCTAssertFalse(good.isEmpty, "no known-good rules seed")
        for (name, bytes) in all {
            switch replay(bytes, path: name) {
            case .success(let rules):
                XCTAssertFalse(rules.ruleNames.isEmpty, "\(name) loaded without a rule")
            case .failure(let error):
                XCTAssertFalse(good.contains { $0.name == name }, "\(name): \(error)")
                assertClear(error, path: name, lines: bytes.count(where: { $0 == 0x0A }), name)
            }
        }
    }

    /// The shipped-style seed also loads to the same rule names as the built-in rules.
    func testKnownGoodSeedMatchesTheShippedRuleNames() throws {
        let seed = try XCTUnwrap(try seeds().first { $0.name == "rules.yaml" }, "Fuzz/Corpus/rules/rules.yaml")
        guard case .success(let rules) = replay(seed.bytes, path: seed.name) else {
            return XCTFail("rules.yaml does not load")
        }
        XCTAssertEqual(rules.ruleNames, RuleSet.shipped.ruleNames)
    }

    func testCutAndDamagedSeedsLoadOrFailClearly() throws {
        var loaded = 0
        var refused = 0
        for (name, bytes) in try seeds() {
            for (label, input) in Self.variants(of: bytes) {
                let path = "corpus-\(name)"
                switch replay(input, path: path) {
                case .success: loaded += 1
                case .failure(let error):
                    refused += 1
                    assertClear(error, path: path, lines: input.count(where: { $0 == 0x0A }), "\(name) \(label)")
                }
            }
        }
        print("FAULT-FIGURE rules-corpus-variants loaded=\(loaded) refused=\(refused)")
        XCTAssertGreaterThan(refused, 0, "no variant was refused: the variants do not damage anything")
        XCTAssertGreaterThan(loaded + refused, 20)
    }

    /// Deterministic variants: every prefix at 1/16 steps, and copies with one byte overwritten
    /// by a quote, a colon, a tab, a bracket, NUL or an invalid UTF-8 byte at spread positions.
    static func variants(of bytes: [UInt8]) -> [(String, [UInt8])] {
        guard !bytes.isEmpty else { return [("empty", [])] }
        var out: [(String, [UInt8])] = [("empty", [])]
        for k in 1..<16 {
            let cut = bytes.count * k / 16
            out.append(("cut@\(cut)", Array(bytes[..<cut])))
        }
        let junk: [UInt8] = [0x22, 0x3A, 0x09, 0x5B, 0x00, 0xFF, 0x7B, 0x2D]
        for (i, byte) in junk.enumerated() {
            var copy = bytes
            let at = (bytes.count * (2 * i + 1)) / (2 * junk.count)
            copy[at] = byte
            out.append(("byte@\(at)=\(byte)", copy))
        }
        return out
    }
}
