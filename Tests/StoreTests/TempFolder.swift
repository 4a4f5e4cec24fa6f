import Foundation
import XCTest

/// A fresh folder under the system temp folder, removed when the test ends.
final class TempFolder {
    let path: String

    init(_ test: XCTestCase) throws {
        path = NSTemporaryDirectory() + "anxin-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let path = self.path
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Permission bits of a file or folder.
    func mode(_ path: String) throws -> Int {
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        return (attrs[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
