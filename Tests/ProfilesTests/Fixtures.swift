import AnxinCore
import Foundation
import XCTest

@testable import Profiles

/// The shipped profiles and the device fixtures of shared/devices (copied to Tests/Fixtures/devices).
enum Fixtures {
    /// The repository root (/work/main), found from this file even through a symlinked Tests folder.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let profilesFolder = repoRoot.appendingPathComponent("DeviceProfiles").path
    /// The checked-in copy of shared/devices (a clean clone has no sibling `shared` folder).
    static let devicesFolder = repoRoot.appendingPathComponent("Tests/Fixtures/devices")
    /// The team's shared folder, when this checkout sits next to it.
    static let sharedDevicesFolder = repoRoot.appendingPathComponent("../shared/devices").standardizedFileURL

    /// 2026-11-22T00:30:00Z, after every fixture's own time.
    static let receivedAt: EpochMillis = 1_795_307_400_000
    static let chinaOffset = 8 * 3600

    static let shipped: ProfileSet = {
        do throws(ProfileLoadError) {
            return try ProfileSet.load(folders: [profilesFolder], defaultUTCOffsetSeconds: chinaOffset)
        } catch {
            fatalError("shipped profiles do not load:\n\(error.diagnostics.map(\.description).joined(separator: "\n"))")
        }
    }()

    static var messageFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: devicesFolder.path)) ?? [])
            .filter { $0.hasSuffix(".msg") }.sorted()
    }

    /// First line is the topic; the payload is the rest without the file's final newline.
    static func message(_ name: String) -> (topic: String, payload: [UInt8]) {
        let data = FileManager.default.contents(atPath: devicesFolder.appendingPathComponent(name).path) ?? Data()
        var bytes = [UInt8](data)
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
        let topic = String(decoding: bytes[..<newline], as: UTF8.self)
        bytes = Array(bytes[min(newline + 1, bytes.count)...])
        if bytes.last == 0x0A { bytes.removeLast() }
        return (topic, bytes)
    }

    static func decode(
        _ name: String, receivedAt: EpochMillis = receivedAt, set: ProfileSet = shipped
    ) -> (DecodeFailure?, DecodeOutput) {
        let m = message(name)
        var output = DecodeOutput()
        let failure = set.decode(topic: m.topic, payload: m.payload, receivedAt: receivedAt, into: &output)
        return (failure, output)
    }

    static func millis(_ iso: String) -> EpochMillis { Timestamp.parseISO8601(iso)! }
}

/// One expected observation.
enum Expect {
    case reading(ReadingKind, Double)
    case flag(ReadingKind, Bool)
    case location(Double, Double)
    case event(EventKind)
}

extension XCTestCase {
    /// Asserts the observations, in order, all from `device` and `profile` at `at` with `flags`.
    func assertObservations(
        _ output: DecodeOutput, device: String, profile: String, at: EpochMillis, flags: ObservationFlags,
        _ expected: [Expect], locationTolerance: Double = 1e-9, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(output.profile, profile, file: file, line: line)
        XCTAssertEqual(output.observations.count, expected.count, "observation count", file: file, line: line)
        for (o, e) in zip(output.observations, expected) {
            XCTAssertEqual(o.device, device, file: file, line: line)
            XCTAssertEqual(o.measuredAt, at, "measured time", file: file, line: line)
            switch (o, e) {
            case (.reading(let r), .reading(let kind, let value)):
                XCTAssertEqual(r.kind, kind, file: file, line: line)
                XCTAssertEqual(r.value, .number(value), "\(kind.name)", file: file, line: line)
                XCTAssertEqual(r.flags, flags, file: file, line: line)
                XCTAssertEqual(r.profile, profile, file: file, line: line)
            case (.reading(let r), .flag(let kind, let value)):
                XCTAssertEqual(r.kind, kind, file: file, line: line)
                XCTAssertEqual(r.value, .bool(value), file: file, line: line)
                XCTAssertEqual(r.flags, flags, file: file, line: line)
            case (.reading(let r), .location(let lat, let lon)):
                XCTAssertEqual(r.kind, .location, file: file, line: line)
                guard case .location(let l) = r.value else {
                    XCTFail("not a location", file: file, line: line)
                    continue
                }
                XCTAssertEqual(l.lat, lat, accuracy: locationTolerance, file: file, line: line)
                XCTAssertEqual(l.lon, lon, accuracy: locationTolerance, file: file, line: line)
                XCTAssertEqual(l.source, .gps, file: file, line: line)
                XCTAssertNil(l.accuracyM, file: file, line: line)
                XCTAssertEqual(r.flags, flags, file: file, line: line)
            case (.event(let ev), .event(let kind)):
                XCTAssertEqual(ev.kind, kind, file: file, line: line)
                XCTAssertEqual(ev.flags, flags, file: file, line: line)
                XCTAssertEqual(ev.profile, profile, file: file, line: line)
            default:
                XCTFail("expected \(e), got \(o)", file: file, line: line)
            }
        }
    }
}
