import Foundation
import XCTest

/// Fixture files next to these tests, and temporary folders that clean up after themselves.
enum RegistryFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String {
        folder.appendingPathComponent(name).path
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    }
}

/// A fresh folder under the system temporary folder, removed by `tearDown`.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "anxin-registry-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
