import AnxinCore
import Foundation
import XCTest

@testable import Profiles

/// The loader is strict and points at the line of every mistake, all at once.
final class ProfileLoaderTests: XCTestCase {
    let valid = """
        id: good
        format: json
        topics: [good/+]
        device: id
        messages:
          - name: m
            readings:
              - {kind: heart_rate, field: hr}
        """

    func diagnostics(_ sources: [(String, String)]) -> [ProfileDiagnostic] {
        do throws(ProfileLoadError) {
            _ = try ProfileSet.load(sources: sources.map { (path: $0.0, text: $0.1) }, defaultUTCOffsetSeconds: 0)
            XCTFail("loaded a broken profile")
            return []
        } catch {
            return error.diagnostics
        }
    }

    func testValidProfileLoads() throws {
        let set = try ProfileSet.load(sources: [("good.yaml", valid)], defaultUTCOffsetSeconds: 0)
        XCTAssertEqual(set.profileIDs, ["good"])
        XCTAssertEqual(set.topicFilters, ["good/+"])
    }

    func testUnknownKeyPointsAtItsLine() {
        let yaml = """
            id: p
            format: json
            topics: [a/b]
            device: id
            messages:
              - name: m
                colour: red
                readings:
                  - {kind: heart_rate, field: hr}
            """
        let d = diagnostics([("/etc/anxin/profiles/p.yaml", yaml)])
        XCTAssertEqual(d.count, 1)
        XCTAssertEqual(d.first?.path, "/etc/anxin/profiles/p.yaml")
        XCTAssertEqual(d.first?.line, 7)
        XCTAssertTrue(
            d.first?.description.hasPrefix("/etc/anxin/profiles/p.yaml:7: unknown key 'colour' in message") == true,
            d.first?.description ?? "")
    }

    func testBadKindBadPathAndBadTopicAreAllReported() {
        let yaml = """
            id: p
            format: json
            topics: ["a/#/b"]
            device: id
            messages:
              - name: m
                readings:
                  - {kind: pulse, field: hr}
                  - {kind: heart_rate, field: "data[x].hr"}
                  - {kind: systolic, field: "bp..sys"}
                  - {kind: systolic, field: bp, unit: psi}
                events:
                  - {event: wandering}
            """
        let d = diagnostics([("p.yaml", yaml)])
        XCTAssertEqual(d.map(\.line), [3, 8, 9, 10, 11, 13])
        XCTAssertEqual(d[0].description, "p.yaml:3: '#' must be the last level of topic filter 'a/#/b'")
        XCTAssertTrue(d[1].description.hasPrefix("p.yaml:8: unknown reading kind 'pulse' (use one of: heart_rate,"))
        XCTAssertEqual(
            d[2].description,
            "p.yaml:9: bad JSON path: JSON path 'data[x].hr': '[x]' is neither '[]' nor an index like '[0]'")
        XCTAssertEqual(d[3].description, "p.yaml:10: bad JSON path: JSON path 'bp..sys' has an empty segment")
        XCTAssertEqual(d[4].description, "p.yaml:11: unknown unit 'psi' for systolic (use mmHg or kPa)")
        XCTAssertTrue(d[5].description.hasPrefix("p.yaml:13: unknown event 'wandering'"))
    }

    func testDuplicateIdAcrossFiles() {
        let second = "# same id again\n" + valid
        let d = diagnostics([("a.yaml", valid), ("b.yaml", second)])
        XCTAssertEqual(d.map(\.description), ["b.yaml:2: duplicate profile id 'good' (also in a.yaml:1)"])
    }

    func testMissingKeysAndBadEnums() {
        let yaml = """
            id: Bad Id
            format: xml
            topics: [a/b]
            datum: wgs72
            messages:
              - name: m
                time: {field: t, pattern: "dd/MM/yyyy HH:mm:ss", zone: "Mars/Olympus"}
                readings:
                  - {kind: location, lat: la, lon: lo, source: radio, coordinates: dms}
            """
        let d = diagnostics([("p.yaml", yaml)])
        let lines = d.map(\.line)
        XCTAssertEqual(lines, [1, 2, 4, 6, 7, 9, 9], d.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(d.contains { $0.message.hasPrefix("message 'm' has no device id") })
        XCTAssertTrue(d.contains { $0.message.hasPrefix("unknown datum 'wgs72'") })
        XCTAssertTrue(d.contains { $0.message.hasPrefix("unknown zone 'Mars/Olympus'") })
        XCTAssertTrue(d.contains { $0.message.hasPrefix("unknown location source 'radio'") })
        XCTAssertTrue(d.contains { $0.message.hasPrefix("unknown coordinates 'dms'") })
    }

    func testFrameProfileMistakes() {
        let yaml = """
            id: f
            format: frame
            topics: [f/up]
            frame: {start: "[", end: "]", header: [maker, device], separator: ",,"}
            device: device
            messages:
              - name: m
                command: X
                fields: [a, b, a]
                readings:
                  - {kind: heart_rate, field: c}
              - name: j
                command: Y
                fields: [hr]
                readings:
                  - {kind: heart_rate, field: hr, map: {1: yes}}
            """
        let d = diagnostics([("f.yaml", yaml)])
        XCTAssertEqual(
            d.map(\.description),
            [
                "f.yaml:4: 'separator' must be one ASCII character",
                "f.yaml:9: duplicate field name 'a'",
                "f.yaml:11: unknown field 'c' (this message's fields: maker, device, a, b)",
                "f.yaml:16: 'map' values of heart_rate must be numbers",
            ])
    }

    func testYAMLSyntaxErrorHasALine() {
        let yaml = "id: p\nformat: json\ntopics: [a/b\nmessages: []\n"
        let d = diagnostics([("p.yaml", yaml)])
        XCTAssertEqual(d.count, 1)
        XCTAssertEqual(d.first?.path, "p.yaml")
        XCTAssertTrue(d.first?.message.hasPrefix("YAML syntax:") == true)
        XCTAssertGreaterThanOrEqual(d.first?.line ?? 0, 3)
    }

    func testIteratingMessageRulesAreChecked() {
        let yaml = """
            id: p
            format: json
            topics: [a/b]
            device: id
            messages:
              - name: m
                when: {field: "x[].k", equals: 1}
                readings:
                  - {kind: heart_rate, field: "data[].hr"}
                  - {kind: battery, field: battery}
                  - {kind: spo2, field: "other[].s"}
            """
        let d = diagnostics([("p.yaml", yaml)])
        XCTAssertEqual(d.map(\.line), [7, 10, 11], d.map(\.description).joined(separator: "\n"))
    }

    func testAuthoringGuideExampleLoadsAndDecodes() throws {
        let guide = try String(
            contentsOfFile: Fixtures.repoRoot.appendingPathComponent("DeviceProfiles/README.md").path, encoding: .utf8)
        let section = try XCTUnwrap(guide.range(of: "## A complete example"))
        let rest = guide[section.upperBound...]
        let start = try XCTUnwrap(rest.range(of: "```yaml\n"))
        let end = try XCTUnwrap(rest[start.upperBound...].range(of: "```"))
        let yaml = String(rest[start.upperBound..<end.lowerBound])
        let set = try ProfileSet.load(sources: [("acme.yaml", yaml)], defaultUTCOffsetSeconds: 0)
        let payload =
            #"{"type":"vitals","ts":1795306530000,"body":{"hr":0,"temp_f":98.6,"alarm":2},"pos":{"lat":24.67,"lng":102.6,"radius":15}}"#
        var out = DecodeOutput()
        XCTAssertNil(
            set.decode(topic: "acme/B-7/up", payload: Array(payload.utf8), receivedAt: Fixtures.receivedAt, into: &out))
        XCTAssertEqual(out.sentinels, ["heart_rate"])
        XCTAssertEqual(out.observations.count, 3)
        XCTAssertEqual(out.observations.map(\.device), ["B-7", "B-7", "B-7"])
        guard case .reading(let temp) = out.observations[0], case .reading(let loc) = out.observations[1],
            case .location(let l) = loc.value, case .event(let fall) = out.observations[2]
        else { return XCTFail() }
        XCTAssertEqual(temp.value, .number((98.6 - 32) * 5 / 9))
        XCTAssertEqual(l.accuracyM, 15)
        let wgs = Datum.gcj02.toWGS84(lat: 24.67, lon: 102.6)
        XCTAssertEqual(l.lat, wgs.lat)
        XCTAssertEqual(fall.kind, .fall)
    }

    func testLoadFromFoldersReadsYamlFilesSortedAndReportsFilePaths() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try valid.write(to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try valid.replacingOccurrences(of: "id: good", with: "id: alpha").replacingOccurrences(
            of: "good/+", with: "alpha/+"
        )
        .write(to: dir.appendingPathComponent("a.yml"), atomically: true, encoding: .utf8)
        try "not a profile".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let set = try ProfileSet.load(folders: [dir.path], defaultUTCOffsetSeconds: 0)
        XCTAssertEqual(set.profileIDs, ["alpha", "good"])

        try "id: broken\nformat: json\ntopics: [x]\nwhat: 1\n".write(
            to: dir.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
        do throws(ProfileLoadError) {
            _ = try ProfileSet.load(folders: [dir.path, dir.path + "/missing"], defaultUTCOffsetSeconds: 0)
            XCTFail("loaded")
        } catch {
            let text = error.diagnostics.map(\.description)
            XCTAssertEqual(text.count, 3, text.joined(separator: "\n"))
            XCTAssertEqual(text[0], dir.appendingPathComponent("c.yaml").path + ":1: profile is missing 'messages'")
            XCTAssertTrue(
                text[1].hasPrefix(dir.appendingPathComponent("c.yaml").path + ":4: unknown key 'what' in profile"))
            XCTAssertEqual(text[2], dir.path + "/missing:1: cannot read profile folder")
        }
    }
}
