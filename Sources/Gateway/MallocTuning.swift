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

/// Gives memory freed since back to the system (`malloc_trim`): what loading the registry and the rule
/// state left behind (parse buffers, the registry cache's bytes, a replaced snapshot) would otherwise
/// stay resident for good, since glibc returns only the free memory at the top of the main heap.
public func returnFreedMemory() {
    _ = anxin_malloc_trim()
}
