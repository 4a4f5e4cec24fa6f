#ifndef ANXIN_CFUZZDRIVER_H
#define ANXIN_CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, LLVM 11 and later). SwiftPM links a Linux executable
/// with `--defsym main=<module>_main`, which `-parse-as-library` never defines, so each
/// fuzzer defines `<module>_main` itself and hands over to libFuzzer here.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// LeakSanitizer (linked with -sanitize=address): allocations made between these calls are
/// never reported. Used for the shipped profiles, loaded once and kept for the whole run:
/// Swift packs enum tags into pointer spare bits, which LeakSanitizer cannot follow.
void __lsan_disable(void);
void __lsan_enable(void);

#endif
