// Header only: LLVMFuzzerRunDriver is defined by libFuzzer, linked by -sanitize=fuzzer.
