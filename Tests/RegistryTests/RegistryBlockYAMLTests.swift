import AnxinCore
import Foundation
import XCTest

@testable import Registry

/// The direct reader of the registry's usual layout (`RegistryBlockYAML`) reads what it takes exactly
/// as Yams does, leaves everything else to Yams, and a registry with a problem is reported as before.
final class RegistryBlockYAMLTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpus = repoRoot.appendingPathComponent("Fuzz/Corpus/registry-yaml")

    private func seeds() throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { !$0.hasPrefix(".") }
        return try names.sorted().map { ($0, [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent($0)))) }
    }

    private enum Outcome: Equatable {
        case success(RegistrySnapshot)
        case failure([String])

        static func == (a: Outcome, b: Outcome) -> Bool {
            switch (a, b) {
            case (.success(let x), .success(let y)): x.residents == y.residents && x.beds == y.beds
            case (.failure(let x), .failure(let y)): x == y
            default: false
            }
        }
    }

    /// The snapshot, or the diagnostics, of reading `text` with Yams alone (the reader before the
    /// direct one existed).
    private func yamsOnly(_ text: String) -> Outcome {
        var reader = RegistryYAMLReader(path: "r.yaml")
        let draft = reader.readWhole(text)
        var log = reader.log
        draft.validate(into: &log)
        return log.isEmpty ? .success(draft.snapshot) : .failure(log.error.diagnostics.map(\.description))
    }

    private func loaded(_ text: String) -> Outcome {
        do throws(RegistryLoadError) {
            return .success(try RegistryLoader.parseYAML(bytes: Array(text.utf8), path: "r.yaml"))
        } catch {
            return .failure(error.diagnostics.map(\.description))
        }
    }

    func testTheSeedsAreReadDirectlyAndExactlyAsYamsReadsThem() throws {
        let all = try seeds()
        XCTAssertGreaterThanOrEqual(all.count, 3, "the three hand-written seeds at least")
        for (name, bytes) in all {
            XCTAssertEqual(RegistryLoader.crossCheckYAML(bytes: bytes), true, name)
        }
        // The constructs file reads to the values it spells.
        let text = String(decoding: try XCTUnwrap(all.first { $0.name == "every-construct.yaml" }).bytes, as: UTF8.self)
        let draft = try XCTUnwrap(RegistryBlockYAML.draft(bytes: Array(text.utf8), path: "r.yaml"))
        let r = draft.residents.map(\.resident)
        XCTAssertEqual(r.map(\.id), ["R-1", "R-2", "R-3", "R-4"])
        XCTAssertEqual(r[0].name, "王's 家")
        XCTAssertEqual(r[0].bed, "B-\"1\"\\x/中")
        XCTAssertEqual(r[0].address, "昆明市晋宁区#1号, 月山社区")
        XCTAssertEqual(r[0].phone, "13800000000")
        XCTAssertEqual(r[0].contacts.map(\.phone), ["139 0000-0000", "138"])
        XCTAssertEqual(r[0].devices, ["865-1", "865-2"])
        XCTAssertEqual(r[0].homeZone?.radiusM, 1000)
        XCTAssertEqual(r[0].thresholds["bp_high.systolic"], 170)
        XCTAssertNil(r[0].medicalNotes)
        XCTAssertEqual(r[0].sims, ["865-1": "147"])
        XCTAssertNil(r[1].bed)
        XCTAssertNil(r[1].room)
        XCTAssertEqual(r[1].devices, ["W2", "W3"])
        XCTAssertEqual(r[2].devices, ["W4"])
        XCTAssertEqual(r[3].name, "乙")
        XCTAssertEqual(draft.beds.map(\.bed.devices), [["S1", "S2"], []])
        XCTAssertEqual(draft.residents.map(\.line), [3, 35, 42, 44])
        XCTAssertEqual(draft.residents[0].deviceLines, [19, 20])
    }

    func testItemsAtTheMarginAndALargeRegistryInPartsReadTheSame() throws {
        var yaml = "residents:\n"
        var beds = "beds:\n"
        for i in 0..<3_000 {
            yaml += "- id: R-\(i)\n  name: 居民\(i)\n  bed: B-\(i)\n  contacts: [{name: 家属, phone: \"139\(i)\"}]\n"
            yaml += "  devices: [\"W\(i)\"]\n"
            beds += "- code: B-\(i)\n  devices: [S\(i)]\n"
        }
        let bytes = Array((yaml + beds).utf8)
        XCTAssertEqual(RegistryLoader.crossCheckYAML(bytes: bytes, parts: 3), true)
        let one = try XCTUnwrap(RegistryBlockYAML.draft(bytes: bytes, path: "r.yaml", parts: 1))
        let four = try XCTUnwrap(RegistryBlockYAML.draft(bytes: bytes, path: "r.yaml", parts: 4))
        XCTAssertTrue(one.sameEntries(as: four))
        XCTAssertEqual(four.residents.count, 3_000)
        XCTAssertEqual(four.beds.count, 3_000)
        XCTAssertEqual(four.residents.last?.resident.id, "R-2999")
        XCTAssertEqual(four.beds[1_500].bed.code, "B-1500")

        // Beds first: the parts are joined in the file's order all the same.
        let bedsFirst = Array((beds + yaml).utf8)
        XCTAssertEqual(RegistryLoader.crossCheckYAML(bytes: bedsFirst, parts: 3), true)
        let joined = try XCTUnwrap(RegistryBlockYAML.draft(bytes: bedsFirst, path: "r.yaml", parts: 4))
        XCTAssertTrue(
            joined.sameEntries(as: try XCTUnwrap(RegistryBlockYAML.draft(bytes: bedsFirst, path: "r.yaml", parts: 1))))
        XCTAssertEqual(joined.beds.map(\.bed.code), (0..<3_000).map { "B-\($0)" })
        XCTAssertEqual(joined.residents.map(\.resident.id), (0..<3_000).map { "R-\($0)" })
        XCTAssertEqual(joined.residents.map(\.line), (0..<3_000).map { 6_003 + $0 * 5 })
    }

    /// The registry's bytes are let go once composed when the caller gives them up; a file with a
    /// problem is read again for Yams, which reports it with its line.
    func testAFileWithAProblemIsReadAgainForItsReport() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("anxin-reg-\(getpid()).yaml")
        defer { try? FileManager.default.removeItem(at: tmp) }
        var yaml = "residents:\n"
        for i in 0..<30_000 { yaml += "- id: R-\(i)\n  name: 居民\n  devices: [\"W\(i)\"]\n" }
        yaml += "- id: R-X\n  name: 重复\n  devices: [\"W7\"]\n"
        try Data(yaml.utf8).write(to: tmp)
        XCTAssertThrowsError(try RegistryLoader.load(path: tmp.path)) { error in
            XCTAssertTrue("\(error)".contains(":90004: device is already bound at line 25"), "\(error)")
        }
        try Data(yaml.replacingOccurrences(of: "重复\n  devices: [\"W7\"]", with: "重复\n  devices: [\"W-extra\"]").utf8)
            .write(to: tmp)
        XCTAssertEqual(try RegistryLoader.load(path: tmp.path).residents.count, 30_001)
    }

    func testConstructsItLeavesToYamsAreStillReadAsYamsReadsThem() {
        let base = "residents:\n  - id: R-1\n    name: 王\n    devices: [W1]\n  - id: R-2\n    name: 李\n"
        let long = String(repeating: "k", count: 1_100)
        let others: [(String, String)] = [
            ("anchor and alias", base + "    medical_notes: &n 高血压\n  - id: R-3\n    name: 赵\n    medical_notes: *n\n"),
            ("tag", base + "    room: !!str 302\n"),
            ("block scalar", base + "    medical_notes: |\n      高血压\n      糖尿病\n"),
            ("folded plain scalar", base + "    address: 昆明市\n      晋宁区\n"),
            ("flow over two lines", base + "    devices: [W2,\n      W3]\n"),
            ("tab", base + "    room:\t302\n"),
            ("space before a colon", base + "    room : 302\n"),
            ("an escape it does not take", base + "    room: \"\\x41\"\n"),
            ("a trailing comma", base + "    devices: [W2, W3,]\n"),
            ("a complex key", base + "    ? room\n    : 302\n"),
            ("a colon in a flow scalar", base + "    flags: [a:b]\n"),
            ("CRLF", base.replacingOccurrences(of: "\n", with: "\r\n")),
            ("a document marker", "---\n" + base),
            ("a byte order mark", "\u{FEFF}" + base),
            ("a quoted scalar over two lines", base + "    room: \"3号楼\n      302\"\n"),
            ("a line separator", base + "    room: 3号\u{2028}楼\n"),
            ("a key of other characters", base + "    thresholds: {心率: 140}\n"),
            ("a key longer than YAML allows", base + "    thresholds:\n      " + long + ": 1\n"),
            ("a flow key longer than YAML allows", base + "    thresholds: {" + long + ": 1}\n"),
        ]
        for (label, text) in others {
            XCTAssertNil(RegistryBlockYAML.draft(bytes: Array(text.utf8), path: "r.yaml"), label)
            switch (loaded(text), yamsOnly(text)) {
            case (.success(let a), .success(let b)):
                XCTAssertEqual(a.residents, b.residents, label)
            case (.failure(let a), .failure(let b)):
                XCTAssertEqual(a, b, label)
            default:
                XCTFail("\(label): the loader and Yams disagree")
            }
        }
        // The ones that are valid YAML load.
        if case .success(let s) = loaded(others[0].1) {
            XCTAssertEqual(s.residents.last?.medicalNotes, "高血压")
        } else {
            XCTFail("anchor and alias did not load")
        }
        if case .success(let s) = loaded(others[2].1) {
            XCTAssertEqual(s.residents.last?.medicalNotes, "高血压\n糖尿病\n")
        } else {
            XCTFail("block scalar did not load")
        }
    }

    func testNestingDeeperThanARegistryIsLeftToYams() throws {
        func compose(_ text: String) throws(RegistryBlockYAML.Unsupported) -> RegistryNode {
            let bytes = Array(text.utf8)
            return try bytes.withUnsafeBufferPointer { buffer throws(RegistryBlockYAML.Unsupported) in
                var composer = RegistryBlockYAML(bytes: buffer)
                return try composer.entry(from: 0, to: bytes.count, line: 1, indent: 2)
            }
        }
        func flows(_ n: Int) -> String {
            "  - a: " + String(repeating: "[", count: n) + "x" + String(repeating: "]", count: n) + "\n"
        }
        func blocks(_ n: Int) -> String { "  - a:\n      " + String(repeating: "- ", count: n) + "x\n" }
        XCTAssertNotNil(try? compose(flows(10)))
        XCTAssertNotNil(try? compose(blocks(10)))
        XCTAssertThrowsError(try compose(flows(40)))
        XCTAssertThrowsError(try compose(blocks(40)))
        XCTAssertThrowsError(try compose(flows(100_000)), "no stack overflow")
    }

    func testARegistryWithProblemsIsReportedAsYamsReadsIt() {
        let base = "residents:\n  - id: R-1\n    name: 王\n    devices: [W1]\n"
        let broken = [
            base + "  - id: R-2\n    nmae: 李\n",
            base + "  - id: R-2\n    name: 李\n    devices: [W1]\n",
            base + "  - id: R-1\n    name: 李\n",
            base + "  - id: R-2\n    name: 李\n    care_level: 9\n    phone: abc\n",
            base + "  - id: R-2\n    name: 李\n    name: 赵\n",
            base + "  - id: R-2\n    name: 李\n    room: a: b\n",
            base + "beds:\n  - code: B-1\n    devices: [W1]\n",
        ]
        for text in broken {
            guard case .failure(let direct) = loaded(text) else {
                XCTFail("loaded: \(text)")
                continue
            }
            XCTAssertFalse(direct.isEmpty)
            guard case .failure(let viaYams) = yamsOnly(text) else {
                XCTFail("Yams loaded: \(text)")
                continue
            }
            XCTAssertEqual(direct, viaYams, text)
        }
    }

    /// The fuzzer's seeds cut short and with YAML's indicator characters written over them: the
    /// direct reader either declines or reads exactly as Yams does.
    func testCutAndDamagedSeedsNeverReadDifferently() throws {
        var direct = 0
        var declined = 0
        let junk = Array(":#-\"'{}[], \n&*!|>?%@`".utf8)
        for (name, bytes) in try seeds() {
            var variants: [[UInt8]] = (1..<32).map { Array(bytes[..<(bytes.count * $0 / 32)]) }
            for (i, byte) in junk.enumerated() {
                for k in 0..<4 {
                    var copy = bytes
                    copy[(bytes.count * (4 * i + k + 1)) / (4 * junk.count + 2)] = byte
                    variants.append(copy)
                }
            }
            for (n, v) in variants.enumerated() {
                switch RegistryLoader.crossCheckYAML(bytes: v) {
                case true?: direct += 1
                case nil: declined += 1
                case false?: XCTFail("\(name) variant \(n) read differently:\n\(String(decoding: v, as: UTF8.self))")
                }
            }
        }
        print("FAULT-FIGURE registry-yaml-variants direct=\(direct) declined=\(declined)")
        XCTAssertGreaterThan(direct, 20, "the variants should mostly stay in the usual layout")
        XCTAssertGreaterThan(declined, 20, "the variants should damage something")
    }
}
