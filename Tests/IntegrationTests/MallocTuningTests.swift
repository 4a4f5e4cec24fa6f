import CMalloc
import Foundation
import XCTest

@testable import Gateway

/// The gateway fixes glibc's mmap threshold at 1 MiB, so a large block freed does not raise it and
/// the next blocks of that size still go back to the system when freed.
final class MallocTuningTests: XCTestCase {
    func testALargeBlockFreedDoesNotRaiseTheMmapThreshold() throws {
        fixMallocMmapThreshold()
        // Under glibc's own rule, freeing this block (mapped on its own) would raise the threshold
        // to its size.
        let raise = max(4 << 20, anxin_malloc_free_bytes() + (8 << 20))
        let big = try XCTUnwrap(malloc(raise))
        memset(big, 1, raise)
        free(big)
        // Larger than all the free memory the arenas hold, so it cannot be carved from them: it is
        // mapped on its own, as it must be past 1 MiB, or taken from the heap if the threshold rose.
        let size = max(2 << 20, anxin_malloc_free_bytes() + (1 << 20))
        XCTAssertLessThan(size, raise)
        let before = anxin_malloc_mapped_blocks()
        let next = try XCTUnwrap(malloc(size))
        XCTAssertEqual(anxin_malloc_mapped_blocks(), before + 1, "a \(size)-byte block is mapped on its own")
        free(next)
        XCTAssertEqual(anxin_malloc_mapped_blocks(), before, "and unmapped when freed")
    }
}
