import AnxinCore
import Foundation
import XCTest

@testable import Registry

/// Replays the `fuzz-registry-csv` seed corpus (Fuzz/Corpus/registry-csv) through the fuzzer's
/// entry, `RegistryLoader.importCSV(bytes:path:)`, without the sanitizer build. Seeds named
/// `*.csv` (except `bad-*`) are known-good exports and must import; any other seed must import or
/// fail with readable diagnostics. Every seed is also replayed cut short and with bytes
/// overwritten: each variant imports or fails with `path:line: message` diagnostics that carry
/// no resident's data (names, phone numbers, addresses, notes) from the input.
final class FuzzCorpusCSVReplayTests: XCTestCase {
    /// The repository root, found from this file even through a symlinked Tests folder.
    static let repoRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = repoRoot.appendingPathComponent("Fuzz/Corpus/registry-csv")

    func seeds() throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { !$0.hasPrefix(".") }
        return try names.sorted().map { name in
            (name, [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent(name))))
        }
    }

    func replay(_ bytes: [UInt8], path: String) -> Result<RegistrySnapshot, RegistryLoadError> {
        do throws(RegistryLoadError) {
            return .success(try RegistryLoader.importCSV(bytes: bytes, path: path))
        } catch {
            return .failure(error)
        }
    }

    /// Personal values a diagnostic must never repeat: every name, phone, address, contact,
    /// key holder and medical note of the residents a known-good seed imports to.
    func personalValues(_ snapshot: RegistrySnapshot) -> Set<String> {
        var values = Set<String>()
        for r in snapshot.residents {
            values.insert(r.name)
            [r.phone, r.address, r.medicalNotes, r.keyHolder?.name, r.keyHolder?.phone].forEach {
                if let v = $0 { values.insert(v) }
            }
            for c in r.contacts {
                values.insert(c.name)
                values.insert(c.phone)
            }
        }
        // Short values (a one-character name) could match by chance inside a message.
        return values.filter { $0.count >= 2 }
    }

    func assertClear(_ error: RegistryLoadError, path: String, lines: Int, private values: Set<String>, _ label: String)
    {
        XCTAssertFalse(error.diagnostics.isEmpty, "\(label): refused without a diagnostic")
        for d in error.diagnostics {
            XCTAssertEqual(d.path, path, label)
            XCTAssertTrue((0...lines + 2).contains(d.line), "\(label): line \(d.line) of \(lines): \(d)")
            XCTAssertFalse(d.message.trimmingCharacters(in: .whitespaces).isEmpty, "\(label): empty message")
            for v in values where d.message.contains(v) {
                XCTFail("\(label): a diagnostic repeats resident data from the input: \(d)")
            }
        }
    }

    func testCorpusIsNotEmptyAndTheKnownGoodSeedsImport() throws {
        let all = try seeds()
        XCTAssertFalse(all.isEmpty, "Fuzz/Corpus/registry-csv is empty")
        XCTAssertFalse(all.filter { $0.name.hasSuffix(".csv") && !$0.name.hasPrefix("bad-") }.isEmpty)
        for (name, bytes) in all {
            let good = name.hasSuffix(".csv") && !name.hasPrefix("bad-")
            switch replay(bytes, path: name) {
            case .success(let snapshot):
                XCTAssertFalse(snapshot.residents.isEmpty, "\(name) imported without a resident")
                XCTAssertEqual(snapshot.residents.first?.id, "R-0001", name)
            case .failure(let error):
                XCTAssertFalse(good, "\(name): \(error)")
                assertClear(error, path: name, lines: bytes.count(where: { $0 == 0x0A }), private: [], name)
            }
        }
    }

    func testCutAndDamagedSeedsImportOrFailClearlyWithoutResidentData() throws {
        var loaded = 0
        var refused = 0
        for (name, bytes) in try seeds() {
            guard case .success(let original) = replay(bytes, path: name) else { continue }
            let values = personalValues(original)
            XCTAssertFalse(values.isEmpty, name)
            for (label, input) in Self.variants(of: bytes) {
                let path = "corpus-\(name)"
                switch replay(input, path: path) {
                case .success: loaded += 1
                case .failure(let error):
                    refused += 1
                    assertClear(
                        error, path: path, lines: input.count(where: { $0 == 0x0A }), private: values,
                        "\(name) \(label)")
                }
            }
        }
        print("FAULT-FIGURE csv-corpus-variants loaded=\(loaded) refused=\(refused)")
        XCTAssertGreaterThan(refused, 0, "no variant was refused: the variants do not damage anything")
        XCTAssertGreaterThan(loaded + refused, 40)
    }

    /// Deterministic variants: empty, a lone BOM, every prefix at 1/16 steps, and copies with one
    /// byte overwritten by a quote, a comma, CR, NUL, an invalid UTF-8 byte or a GB18030 lead byte.
    static func variants(of bytes: [UInt8]) -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = [("empty", []), ("bom", [0xEF, 0xBB, 0xBF])]
        guard !bytes.isEmpty else { return out }
        for k in 1..<16 {
            let cut = bytes.count * k / 16
            out.append(("cut@\(cut)", Array(bytes[..<cut])))
        }
        let junk: [UInt8] = [0x22, 0x2C, 0x0D, 0x00, 0xFF, 0x81, 0x0A, 0x22]
        for (i, byte) in junk.enumerated() {
            var copy = bytes
            let at = (bytes.count * (2 * i + 1)) / (2 * junk.count)
            copy[at] = byte
            out.append(("byte@\(at)=\(byte)", copy))
        }
        return out
    }
}
