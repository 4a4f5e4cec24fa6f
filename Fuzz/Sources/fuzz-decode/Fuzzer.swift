import FuzzEntries

/// The entry SwiftPM's `--defsym main=fuzz_decode_main` names: libFuzzer on `fuzzProfileDecode`.
@_cdecl("fuzz_decode_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzProfileDecode)
}
