import CMalloc
import Foundation
import XCTest

@testable import Gateway

/// The gateway fixes glibc's mmap threshold at 1 MiB, so a large block freed does not raise it and
/// the next blocks of that size still go back to the system when freed.
final class MallocTuningTests: XCTestCase {
    func testALargeBlockFreedDoesNotRaiseTheMmapThreshold() throws {
        fixMallocMmapThreshold()
        // Under glibc's own rule, freeing this 4 MiB block would raise the threshold to 4 MiB.
        let big = try XCTUnwrap(malloc(4 << 20))
        memset(big, 1, 4 << 20)
        free(big)
        let before = anxin_malloc_mapped_blocks()
        let next = try XCTUnwrap(malloc(2 << 20))
        XCTAssertEqual(anxin_malloc_mapped_blocks(), before + 1, "a 2 MiB block is still mapped on its own")
        free(next)
        XCTAssertEqual(anxin_malloc_mapped_blocks(), before, "and unmapped when freed")
    }
}
