import AnxinCore
import CFuzzDriver
import Foundation
import Profiles
import Registry
import Rules

/// The fuzzers' entries: each takes any bytes and must return, never crash. Errors are fine.

/// 2026-11-22T00:30:00Z, after every fixture's own time (as in the profile tests).
let fuzzReceivedAt: EpochMillis = 1_795_307_400_000
let chinaOffset = 8 * 3600

/// The shipped profiles, loaded once: from `ANXIN_PROFILES`, else the first `DeviceProfiles`
/// folder above the executable, else the one above this source file.
let shippedProfiles: ProfileSet = {
    let folder = profilesFolder()
    do throws(ProfileLoadError) {
        return try ProfileSet.load(folders: [folder], defaultUTCOffsetSeconds: chinaOffset)
    } catch {
        fatalError("shipped profiles in \(folder) do not load: \(error.diagnostics.map(\.description))")
    }
}()

func profilesFolder() -> String {
    if let env = ProcessInfo.processInfo.environment["ANXIN_PROFILES"], !env.isEmpty { return env }
    let starts = [
        URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath(),
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath(),
    ]
    for start in starts {
        var dir = start.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("DeviceProfiles")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), isDir.boolValue {
                return candidate.path
            }
            dir = dir.deletingLastPathComponent()
        }
    }
    fatalError("no DeviceProfiles folder found; set ANXIN_PROFILES")
}

/// A message as the device fixtures hold it: the topic up to the first newline, the payload
/// after it, without one final newline.
public func fuzzProfileDecode(_ data: UnsafeRawBufferPointer) {
    let set = shippedProfiles
    let newline = data.firstIndex(of: 0x0A) ?? data.count
    let topic = String(decoding: data[..<newline], as: UTF8.self)
    var end = data.count
    if end > newline + 1, data[end - 1] == 0x0A { end -= 1 }
    let payload = UnsafeRawBufferPointer(rebasing: data[min(newline + 1, end)..<end])
    var output = DecodeOutput()
    _ = set.decode(topic: topic, payload: payload, receivedAt: fuzzReceivedAt, into: &output)
}

/// Profile YAML through the loader and compiler.
public func fuzzProfileLoader(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    _ = try? ProfileSet.load(sources: [(path: "fuzz.yaml", text: text)], defaultUTCOffsetSeconds: chinaOffset)
}

/// Rules YAML through the rules parser.
public func fuzzRulesLoader(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    _ = try? RuleSet.load(text: text, path: "fuzz-rules.yaml")
}

/// Spreadsheet bytes (UTF-8 with or without BOM, or GB18030) through the registry CSV import.
public func fuzzRegistryCSV(_ data: UnsafeRawBufferPointer) {
    _ = try? RegistryLoader.importCSV(bytes: Array(data), path: "fuzz.csv")
}

/// Registry YAML through the direct reader of the usual layout and through Yams: when the direct
/// reader takes a file, it must read it exactly as Yams does (a difference stops the fuzzer).
public func fuzzRegistryYAML(_ data: UnsafeRawBufferPointer) {
    let bytes = Array(data)
    if RegistryLoader.crossCheckYAML(bytes: bytes) == false {
        fatalError("the direct registry reader and Yams read this input differently")
    }
    _ = try? RegistryLoader.parseYAML(bytes: bytes, path: "fuzz.yaml")
}

/// The test function of this fuzzer executable (one per executable), set by ``runFuzzer(_:_:_:)``.
nonisolated(unsafe) private var fuzzTarget: (UnsafeRawBufferPointer) -> Void = { _ in }

/// libFuzzer's test function: one input to this executable's target, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzTarget(UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
    return 0
}

/// Runs libFuzzer with `target` as the test function; what each fuzzer's `<module>_main` calls
/// (SwiftPM links a Linux executable with `--defsym main=<module>_main`). Loads the shipped
/// profiles first, outside the leak checks of each input.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ target: @escaping (UnsafeRawBufferPointer) -> Void
) -> CInt {
    __lsan_disable()
    _ = shippedProfiles
    __lsan_enable()
    fuzzTarget = target
    var count = argc
    var vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &vector, fuzzOneInput)
}
