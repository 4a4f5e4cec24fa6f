import Foundation

/// The coordinate systems Chinese map services use. A `home_zone` drawn on AMap or
/// Tencent maps is GCJ-02, on Baidu maps BD-09; Anxin keeps every position in WGS-84.
enum MapDatum: String, CaseIterable {
    case wgs84
    case gcj02
    case bd09

    /// The WGS-84 position of a point given in this datum.
    func toWGS84(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        switch self {
        case .wgs84:
            return (lat, lon)
        case .gcj02:
            return MapDatum.gcj02ToWGS84(lat: lat, lon: lon)
        case .bd09:
            let gcj = MapDatum.bd09ToGCJ02(lat: lat, lon: lon)
            return MapDatum.gcj02ToWGS84(lat: gcj.lat, lon: gcj.lon)
        }
    }

    // Krasovsky 1940 ellipsoid, as the GCJ-02 obfuscation uses it.
    private static let semiMajorAxis = 6_378_245.0
    private static let eccentricitySquared = 0.006_693_421_622_965_943_23

    /// GCJ-02 leaves points outside (roughly) mainland China unshifted.
    static func isOutsideChina(lat: Double, lon: Double) -> Bool {
        lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
    }

    /// The published forward transform WGS-84 -> GCJ-02.
    static func wgs84ToGCJ02(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        if isOutsideChina(lat: lat, lon: lon) { return (lat, lon) }
        let x = lon - 105.0
        let y = lat - 35.0
        var dLat = shiftLat(x, y)
        var dLon = shiftLon(x, y)
        let radLat = lat / 180.0 * .pi
        var magic = sin(radLat)
        magic = 1 - eccentricitySquared * magic * magic
        let sqrtMagic = magic.squareRoot()
        dLat = (dLat * 180.0) / ((semiMajorAxis * (1 - eccentricitySquared)) / (magic * sqrtMagic) * .pi)
        dLon = (dLon * 180.0) / (semiMajorAxis / sqrtMagic * cos(radLat) * .pi)
        return (lat + dLat, lon + dLon)
    }

    /// Inverse of `wgs84ToGCJ02` by fixed-point iteration; converges to well under a
    /// millimetre in a handful of steps because the shift varies slowly.
    static func gcj02ToWGS84(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        if isOutsideChina(lat: lat, lon: lon) { return (lat, lon) }
        var wLat = lat
        var wLon = lon
        for _ in 0..<30 {
            let g = wgs84ToGCJ02(lat: wLat, lon: wLon)
            let eLat = g.lat - lat
            let eLon = g.lon - lon
            wLat -= eLat
            wLon -= eLon
            if abs(eLat) < 1e-12 && abs(eLon) < 1e-12 { break }
        }
        return (wLat, wLon)
    }

    /// BD-09 -> GCJ-02, the inverse of Baidu's published offset.
    static func bd09ToGCJ02(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        let k = Double.pi * 3000.0 / 180.0
        let x = lon - 0.0065
        let y = lat - 0.006
        let z = (x * x + y * y).squareRoot() - 0.000_02 * sin(y * k)
        let theta = atan2(y, x) - 0.000_003 * cos(x * k)
        return (z * sin(theta), z * cos(theta))
    }

    /// GCJ-02 -> BD-09 (used by tests to check the inverse).
    static func gcj02ToBD09(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        let k = Double.pi * 3000.0 / 180.0
        let z = (lon * lon + lat * lat).squareRoot() + 0.000_02 * sin(lat * k)
        let theta = atan2(lat, lon) + 0.000_003 * cos(lon * k)
        return (z * sin(theta) + 0.006, z * cos(theta) + 0.0065)
    }

    private static func shiftLat(_ x: Double, _ y: Double) -> Double {
        var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs(x).squareRoot()
        r += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        r += (20.0 * sin(y * .pi) + 40.0 * sin(y / 3.0 * .pi)) * 2.0 / 3.0
        r += (160.0 * sin(y / 12.0 * .pi) + 320.0 * sin(y * .pi / 30.0)) * 2.0 / 3.0
        return r
    }

    private static func shiftLon(_ x: Double, _ y: Double) -> Double {
        var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs(x).squareRoot()
        r += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        r += (20.0 * sin(x * .pi) + 40.0 * sin(x / 3.0 * .pi)) * 2.0 / 3.0
        r += (150.0 * sin(x / 12.0 * .pi) + 300.0 * sin(x / 30.0 * .pi)) * 2.0 / 3.0
        return r
    }
}
