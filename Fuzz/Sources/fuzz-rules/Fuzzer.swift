import FuzzEntries

/// The entry SwiftPM's `--defsym main=fuzz_rules_main` names: libFuzzer on `fuzzRulesLoader`.
@_cdecl("fuzz_rules_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzRulesLoader)
}
