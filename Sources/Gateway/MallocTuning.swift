import CMalloc
import Foundation

/// glibc gives each thread that allocates its own arena, up to eight per core, and memory freed in
/// one arena is not reused by another. The gateway's threads (pipeline, folder, broker loop, HTTP event
/// loops) then hold some 30 MB more than they use (BENCHMARKS.md, 100,000 residents). Two arenas are
/// enough for its two busy threads. An operator's own `MALLOC_ARENA_MAX` is left as set.
public func limitMallocArenas(_ arenas: Int32 = 2) {
    guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
    _ = anxin_malloc_arena_max(arenas)
}

/// glibc maps a block of 128 KiB or more on its own, but each time such a block is freed it raises
/// that threshold to the block's size (up to 32 MB): after the registry's file (31 MB for 100,000
/// residents) is let go, every block up to that size comes from the heap, and freed there it stays
/// resident. Fixed at 1 MiB, every large block (a registry being parsed, its cache being written, a
/// table outgrown) goes back to the system when freed: a first start with 100,000 residents peaks at
/// 137 MB instead of 159 (BENCHMARKS.md). Blocks that large are never allocated per message. An
/// operator's own `MALLOC_MMAP_THRESHOLD_` or glibc tunable is left as set.
public func fixMallocMmapThreshold(_ bytes: Int32 = 1 << 20) {
    let environment = ProcessInfo.processInfo.environment
    guard environment["MALLOC_MMAP_THRESHOLD_"] == nil,
        !(environment["GLIBC_TUNABLES"] ?? "").contains("mmap_threshold")
    else { return }
    _ = anxin_malloc_mmap_threshold(bytes)
}

/// Gives memory freed since back to the system (`malloc_trim`): what loading the registry and the rule
/// state left behind (parse buffers, the registry cache's bytes, a replaced snapshot) would otherwise
/// stay resident for good, since glibc returns only the free memory at the top of the main heap.
public func returnFreedMemory() {
    _ = anxin_malloc_trim()
}
