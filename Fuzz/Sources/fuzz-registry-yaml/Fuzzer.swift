import FuzzEntries

/// The entry SwiftPM's `--defsym main=fuzz_registry_yaml_main` names: libFuzzer on `fuzzRegistryYAML`.
@_cdecl("fuzz_registry_yaml_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzRegistryYAML)
}
