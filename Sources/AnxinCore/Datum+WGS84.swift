import Foundation

extension Datum {
    /// Converts a coordinate pair in this datum to WGS-84. GCJ-02 (AMap, Tencent) and
    /// BD-09 (Baidu) are inverted by fixed-point iteration of the published forward
    /// transforms (error well under a metre); outside China GCJ-02 equals WGS-84.
    public func toWGS84(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        switch self {
        case .wgs84:
            return (lat, lon)
        case .gcj02:
            return Datum.gcj02ToWGS84(lat: lat, lon: lon)
        case .bd09:
            let g = Datum.bd09ToGCJ02(lat: lat, lon: lon)
            return Datum.gcj02ToWGS84(lat: g.lat, lon: g.lon)
        }
    }

    /// Converts a WGS-84 pair into this datum (the forward transforms).
    public func fromWGS84(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        switch self {
        case .wgs84:
            return (lat, lon)
        case .gcj02:
            return Datum.wgs84ToGCJ02(lat: lat, lon: lon)
        case .bd09:
            let g = Datum.wgs84ToGCJ02(lat: lat, lon: lon)
            return Datum.gcj02ToBD09(lat: g.lat, lon: g.lon)
        }
    }

    /// Krasovsky 1940 semi-major axis and eccentricity squared, as GCJ-02 defines them.
    private static let krasovskyA = 6378245.0
    private static let krasovskyEE = 0.00669342162296594323
    private static let baiduXPi = Double.pi * 3000.0 / 180.0

    static func isOutsideChina(lat: Double, lon: Double) -> Bool {
        lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
    }

    static func wgs84ToGCJ02(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        if isOutsideChina(lat: lat, lon: lon) { return (lat, lon) }
        let x = lon - 105.0
        let y = lat - 35.0
        var dLat = offsetLat(x, y)
        var dLon = offsetLon(x, y)
        let radLat = lat / 180.0 * Double.pi
        var magic = sin(radLat)
        magic = 1 - krasovskyEE * magic * magic
        let sqrtMagic = magic.squareRoot()
        dLat = (dLat * 180.0) / ((krasovskyA * (1 - krasovskyEE)) / (magic * sqrtMagic) * Double.pi)
        dLon = (dLon * 180.0) / (krasovskyA / sqrtMagic * cos(radLat) * Double.pi)
        return (lat + dLat, lon + dLon)
    }

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
            if abs(eLat) < 1e-11 && abs(eLon) < 1e-11 { break }
        }
        return (wLat, wLon)
    }

    static func gcj02ToBD09(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        let z = (lon * lon + lat * lat).squareRoot() + 0.00002 * sin(lat * baiduXPi)
        let theta = atan2(lat, lon) + 0.000003 * cos(lon * baiduXPi)
        return (z * sin(theta) + 0.006, z * cos(theta) + 0.0065)
    }

    static func bd09ToGCJ02(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        let x = lon - 0.0065
        let y = lat - 0.006
        let z = (x * x + y * y).squareRoot() - 0.00002 * sin(y * baiduXPi)
        let theta = atan2(y, x) - 0.000003 * cos(x * baiduXPi)
        return (z * sin(theta), z * cos(theta))
    }

    private static func offsetLat(_ x: Double, _ y: Double) -> Double {
        var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs(x).squareRoot()
        r += (20.0 * sin(6.0 * x * Double.pi) + 20.0 * sin(2.0 * x * Double.pi)) * 2.0 / 3.0
        r += (20.0 * sin(y * Double.pi) + 40.0 * sin(y / 3.0 * Double.pi)) * 2.0 / 3.0
        r += (160.0 * sin(y / 12.0 * Double.pi) + 320.0 * sin(y * Double.pi / 30.0)) * 2.0 / 3.0
        return r
    }

    private static func offsetLon(_ x: Double, _ y: Double) -> Double {
        var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs(x).squareRoot()
        r += (20.0 * sin(6.0 * x * Double.pi) + 20.0 * sin(2.0 * x * Double.pi)) * 2.0 / 3.0
        r += (20.0 * sin(x * Double.pi) + 40.0 * sin(x / 3.0 * Double.pi)) * 2.0 / 3.0
        r += (150.0 * sin(x / 12.0 * Double.pi) + 300.0 * sin(x / 30.0 * Double.pi)) * 2.0 / 3.0
        return r
    }
}
