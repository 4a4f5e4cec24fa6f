import AnxinCore

/// A resident's last known position, for the map or room on the resident page.
public struct ResidentLocation: Sendable, Hashable {
    public var lat: Double
    public var lon: Double
    /// The datum of `lat`/`lon` (`wgs84` as stored; the gateway may convert for a local map).
    public var datum: String
    /// When the device measured it.
    public var at: EpochMillis

    public init(lat: Double, lon: Double, datum: String = Datum.wgs84.name, at: EpochMillis) {
        self.lat = lat
        self.lon = lon
        self.datum = datum
        self.at = at
    }

    /// `{"lat", "lon", "datum", "at"}`.
    public var jsonText: String {
        var o = JSONObjectText()
        o.number("lat", lat)
        o.number("lon", lon)
        o.string("datum", datum)
        o.time("at", at)
        return o.json
    }
}
