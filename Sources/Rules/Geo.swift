import Foundation

/// Distances on the WGS-84 mean sphere.
enum Geo {
    /// Mean Earth radius (IUGG), metres.
    static let earthRadius = 6_371_008.8

    /// Great-circle distance by the haversine formula, in metres.
    static func distanceMeters(lat1: Double, lon1: Double, lat2: Double, lon2: Double) -> Double {
        let rad = Double.pi / 180
        let dLat = (lat2 - lat1) * rad
        let dLon = (lon2 - lon1) * rad
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * earthRadius * asin(min(1, a.squareRoot()))
    }
}
