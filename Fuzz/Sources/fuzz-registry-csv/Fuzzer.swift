import FuzzEntries

/// The entry SwiftPM's `--defsym main=fuzz_registry_csv_main` names: libFuzzer on `fuzzRegistryCSV`.
@_cdecl("fuzz_registry_csv_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzRegistryCSV)
}
