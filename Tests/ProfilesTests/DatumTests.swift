import AnxinCore
import XCTest

@testable import Profiles

/// GCJ-02 / BD-09 inverse transforms and the profile `datum` key.
final class DatumTests: XCTestCase {
    /// Great-circle distance in metres (haversine).
    func metres(_ a: (lat: Double, lon: Double), _ b: (lat: Double, lon: Double)) -> Double {
        let r = 6_371_000.0
        let dLat = (b.lat - a.lat) * .pi / 180
        let dLon = (b.lon - a.lon) * .pi / 180
        let h =
            sin(dLat / 2) * sin(dLat / 2) + cos(a.lat * .pi / 180) * cos(b.lat * .pi / 180) * sin(dLon / 2)
            * sin(dLon / 2)
        return 2 * r * asin(h.squareRoot())
    }

    let points: [(lat: Double, lon: Double)] = [
        (24.6692, 102.5958), (39.9087, 116.3975), (31.2304, 121.4737), (22.5431, 114.0579), (45.75, 126.65),
    ]

    func testGCJ02RoundTripWithinAMetre() {
        for p in points {
            let g = Datum.gcj02.fromWGS84(lat: p.lat, lon: p.lon)
            let offset = metres(p, g)
            XCTAssertGreaterThan(offset, 100, "GCJ-02 moves points in China by hundreds of metres")
            XCTAssertLessThan(offset, 1000)
            let back = Datum.gcj02.toWGS84(lat: g.lat, lon: g.lon)
            XCTAssertLessThan(metres(p, back), 0.01)
        }
    }

    func testBD09RoundTripWithinAFewMetres() {
        for p in points {
            let b = Datum.bd09.fromWGS84(lat: p.lat, lon: p.lon)
            XCTAssertGreaterThan(metres(p, b), 300)
            let back = Datum.bd09.toWGS84(lat: b.lat, lon: b.lon)
            XCTAssertLessThan(metres(p, back), 3)
        }
    }

    func testOutsideChinaGCJ02IsWGS84() {
        let berlin = Datum.gcj02.toWGS84(lat: 52.52, lon: 13.405)
        XCTAssertEqual(berlin.lat, 52.52)
        XCTAssertEqual(berlin.lon, 13.405)
    }

    func testProfileDatumIsConvertedToWGS84() throws {
        let yaml = """
            id: amap-watch
            format: json
            topics: [amap/+]
            datum: gcj02
            device: id
            messages:
              - name: fix
                readings:
                  - {kind: location, lat: pos.lat, lon: pos.lng}
                  - {kind: location, lat: pos.lat, lon: pos.lng, datum: bd09, source: wifi, accuracy: pos.acc}
            """
        let set = try ProfileSet.load(sources: [("amap.yaml", yaml)], defaultUTCOffsetSeconds: 0)
        let truth = (lat: 24.6692, lon: 102.5958)
        let g = Datum.gcj02.fromWGS84(lat: truth.lat, lon: truth.lon)
        let payload = #"{"id":"w1","pos":{"lat":\#(g.lat),"lng":\#(g.lon),"acc":25}}"#
        var out = DecodeOutput()
        XCTAssertNil(
            set.decode(topic: "amap/w1", payload: Array(payload.utf8), receivedAt: Fixtures.receivedAt, into: &out))
        guard case .reading(let r)? = out.observations.first, case .location(let l) = r.value,
            case .reading(let r2)? = out.observations.last, case .location(let l2) = r2.value
        else { return XCTFail("no location") }
        XCTAssertLessThan(metres(truth, (l.lat, l.lon)), 0.01)
        XCTAssertEqual(l.source, .gps)
        XCTAssertEqual(l2.source, .wifi)
        XCTAssertEqual(l2.accuracyM, 25)
        let expected = Datum.bd09.toWGS84(lat: g.lat, lon: g.lon)
        XCTAssertEqual(l2.lat, expected.lat)
        XCTAssertEqual(l2.lon, expected.lon)
    }

    func testNMEAConversion() {
        XCTAssertEqual(SampleReader.degrees(nmea: 2440.1526), 24.66921, accuracy: 1e-9)
        XCTAssertEqual(SampleReader.degrees(nmea: 10235.7498), 102.59583, accuracy: 1e-9)
        XCTAssertEqual(SampleReader.degrees(nmea: -3352.1234), -(33 + 52.1234 / 60), accuracy: 1e-9)
    }
}
