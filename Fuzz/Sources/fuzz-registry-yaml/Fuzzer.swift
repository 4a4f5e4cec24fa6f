import FuzzEntries

/// libFuzzer's test function: one input, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRegistryYAML(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// The entry SwiftPM's `--defsym main=fuzz_registry_yaml_main` names; hands over to libFuzzer.
@_cdecl("fuzz_registry_yaml_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in
        guard let data else { return fuzz(UnsafePointer(bitPattern: 1)!, 0) }
        return fuzz(data, size)
    }
}
