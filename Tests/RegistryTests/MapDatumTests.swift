import XCTest

@testable import Registry

final class MapDatumTests: XCTestCase {
    func testGCJ02MatchesTheWidelyPublishedBeijingPair() {
        // Tian'anmen: WGS-84 39.90872, 116.39748 shows on AMap at 39.91012, 116.40373.
        let gcj = MapDatum.wgs84ToGCJ02(lat: 39.90872, lon: 116.39748)
        XCTAssertEqual(gcj.lat, 39.91012, accuracy: 1e-5)
        XCTAssertEqual(gcj.lon, 116.40373, accuracy: 1e-5)
        let back = MapDatum.gcj02ToWGS84(lat: 39.91012349581456, lon: 116.40372357126593)
        XCTAssertEqual(back.lat, 39.90872, accuracy: 1e-10)
        XCTAssertEqual(back.lon, 116.39748, accuracy: 1e-10)
    }

    func testGCJ02InvertsExactlyInKunming() {
        let gcj = MapDatum.wgs84ToGCJ02(lat: 24.6692, lon: 102.5958)
        // Here the shift is about 350 m south and 120 m east.
        XCTAssertEqual(gcj.lat - 24.6692, -0.003168, accuracy: 1e-6)
        XCTAssertEqual(gcj.lon - 102.5958, 0.001212, accuracy: 1e-6)
        let back = MapDatum.gcj02ToWGS84(lat: gcj.lat, lon: gcj.lon)
        XCTAssertEqual(back.lat, 24.6692, accuracy: 1e-10)
        XCTAssertEqual(back.lon, 102.5958, accuracy: 1e-10)
    }

    func testBD09InvertsBaiduOffset() {
        let bd = MapDatum.gcj02ToBD09(lat: 39.915, lon: 116.404)
        let gcj = MapDatum.bd09ToGCJ02(lat: bd.lat, lon: bd.lon)
        XCTAssertEqual(gcj.lat, 39.915, accuracy: 1e-6)
        XCTAssertEqual(gcj.lon, 116.404, accuracy: 1e-6)
        XCTAssertEqual(bd.lon - 116.404, 0.0065, accuracy: 0.002)
    }

    func testOutsideChinaIsUnshifted() {
        let p = MapDatum.gcj02.toWGS84(lat: 51.5, lon: -0.12)
        XCTAssertEqual(p.lat, 51.5)
        XCTAssertEqual(p.lon, -0.12)
    }
}
