import AnxinCore
import Foundation

/// Reading a registry file's bytes, with the error a caller can act on.
enum RegistryFile {
    static func read(path: String) throws(RegistryLoadError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryLoadError(diagnostics: [
                RegistryDiagnostic(path: path, line: 0, message: "cannot read the file (missing or not permitted)")
            ])
        }
        return [UInt8](data)
    }
}
