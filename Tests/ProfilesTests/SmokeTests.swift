import XCTest
@testable import Profiles
final class SmokeTests: XCTestCase { func testSmoke() { XCTAssertTrue(true) } }
