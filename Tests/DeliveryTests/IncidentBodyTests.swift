import XCTest
@testable import Delivery
