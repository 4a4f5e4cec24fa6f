import FuzzEntries

/// The entry SwiftPM's `--defsym main=fuzz_profile_main` names: libFuzzer on `fuzzProfileLoader`.
@_cdecl("fuzz_profile_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzProfileLoader)
}
