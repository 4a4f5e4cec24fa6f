import AnxinCore
import Foundation
import XCTest

@testable import Registry

/// A large registry is composed a chunk of entries at a time: the entries, their lines and every
/// diagnostic are the same as when the file is composed whole; layouts it cannot cut are read whole.
final class RegistryYAMLChunkTests: XCTestCase {
    /// `count` residents and beds in the usual layout, with problems placed in later chunks.
    private func registry(_ count: Int, itemIndent: String = "  ") -> String {
        let i2 = itemIndent + "  "
        var yaml = "# a registry\nresidents:\n"
        var beds = "\nbeds:\n"
        for i in 0..<count {
            let n = String(i)
            yaml += "\(itemIndent)- id: R-\(i == 4_321 ? "7" : n)\n\(i2)name: 居民\(n)\n\(i2)bed: B-\(n)\n"
            if i % 1000 == 3 { yaml += "# a comment between entries\n\n" }
            yaml += "\(i2)contacts:\n\(i2)  - {name: 家属\(n), relation: 儿子, phone: \"139\(n)\"}\n"
            if i == 2_500 { yaml += "\(i2)notes_typo: x\n" }
            yaml += "\(i2)devices: [\"W\(i == 3_999 ? "5" : n)\"]\n"
            beds += "\(itemIndent)- code: B-\(n)\n\(i2)devices: [\"S\(n)\"]\n"
        }
        return yaml + beds
    }

    private func readBothWays(_ text: String) -> (
        chunked: RegistryYAMLReader, draft: RegistryDraft, whole: RegistryYAMLReader, wholeDraft: RegistryDraft
    ) {
        var chunked = RegistryYAMLReader(path: "r.yaml")
        let draft = chunked.read(text)
        var whole = RegistryYAMLReader(path: "r.yaml")
        let wholeDraft = whole.readWhole(text)
        return (chunked, draft, whole, wholeDraft)
    }

    func testChunkedReadingGivesTheSameEntriesLinesAndDiagnostics() throws {
        let text = registry(5_000)
        let sections = try XCTUnwrap(RegistryYAMLChunks.split(text))
        XCTAssertEqual(sections.map(\.key), ["residents", "beds"])
        XCTAssertEqual(sections.map(\.chunks.count), [3, 3], "2,000 entries a chunk")
        let r = readBothWays(text)
        XCTAssertEqual(r.draft.residents.map(\.resident), r.wholeDraft.residents.map(\.resident))
        XCTAssertEqual(r.draft.residents.map(\.line), r.wholeDraft.residents.map(\.line))
        XCTAssertEqual(r.draft.residents.map(\.bedLine), r.wholeDraft.residents.map(\.bedLine))
        XCTAssertEqual(r.draft.residents.map(\.deviceLines), r.wholeDraft.residents.map(\.deviceLines))
        XCTAssertEqual(r.draft.beds.map(\.bed), r.wholeDraft.beds.map(\.bed))
        XCTAssertEqual(r.draft.beds.map(\.line), r.wholeDraft.beds.map(\.line))
        XCTAssertEqual(r.draft.residents.count, 5_000)
        var log = r.chunked.log
        r.draft.validate(into: &log)
        var wholeLog = r.whole.log
        r.wholeDraft.validate(into: &wholeLog)
        XCTAssertEqual(log.all.map(\.description), wholeLog.all.map(\.description))
        // The planted problems, in later chunks, with the lines of the file.
        XCTAssertEqual(log.all.count, 3, log.all.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(log.all.contains { $0.message.hasPrefix("unknown key 'notes_typo'") })
        XCTAssertTrue(log.all.contains { $0.message.hasPrefix("duplicate resident id") })
        XCTAssertTrue(log.all.contains { $0.message.hasPrefix("device is already bound") })
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let typo = try XCTUnwrap(log.all.first { $0.message.hasPrefix("unknown key") })
        XCTAssertTrue(lines[typo.line - 1].contains("notes_typo: x"), "line \(typo.line): \(lines[typo.line - 1])")
    }

    func testLayoutsItCannotCutAreReadWhole() throws {
        let plain = registry(3)
        XCTAssertNotNil(RegistryYAMLChunks.split(plain))
        XCTAssertNotNil(RegistryYAMLChunks.split(registry(3, itemIndent: "")), "items at the margin")
        let others = [
            plain.replacingOccurrences(of: "\n", with: "\r\n"),
            "---\n" + plain,
            "residents: []\nbeds: []\n",
            "{residents: [{id: R-1, name: A}]}\n",
            plain + "residents:\n  - id: R-9\n    name: B\n",
            plain.replacingOccurrences(of: "beds:\n", with: "beds:\n  extra: 1\n"),
            "residents:\n",
        ]
        for text in others {
            XCTAssertNil(RegistryYAMLChunks.split(text), text.prefix(60).description)
            let r = readBothWays(text)
            XCTAssertEqual(r.draft.residents.map(\.resident), r.wholeDraft.residents.map(\.resident))
            XCTAssertEqual(r.chunked.log.all.map(\.description), r.whole.log.all.map(\.description))
        }
        // An alias to an anchor of another entry in the same chunk composes as in the whole file.
        let anchored = "residents:\n  - id: R-1\n    name: &n 王\n  - id: R-2\n    name: *n\n"
        XCTAssertNotNil(RegistryYAMLChunks.split(anchored))
        let r = readBothWays(anchored)
        XCTAssertEqual(r.draft.residents.map(\.resident.name), ["王", "王"])
    }
}
