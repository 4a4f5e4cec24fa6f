import AnxinCore

/// A resident as staff see them: the registry entry, the latest value of each vital sign, the
/// devices with battery and last-heard time, the last known position and the alerts still open
/// (`GET /api/v1/residents/{id}`).
public struct ResidentView: Sendable, Hashable {
    public var resident: Resident
    /// The latest value of each kind the source chose to show (usually the vital signs).
    public var vitals: [ReadingKind: LatestVital]
    /// Unresolved alerts (open or acknowledged), newest first.
    public var openAlerts: [AlertView]
    /// The resident's wristbands and bed sensors.
    public var devices: [DeviceView]
    /// The last known position, nil when none is known.
    public var location: ResidentLocation?

    /// - Parameters:
    ///   - devices: nil lists the registry's device ids with nothing else known.
    ///   - location: nil takes the latest `location` vital, when there is one.
    public init(
        resident: Resident, vitals: [ReadingKind: LatestVital] = [:], openAlerts: [AlertView] = [],
        devices: [DeviceView]? = nil, location: ResidentLocation? = nil
    ) {
        self.resident = resident
        self.vitals = vitals
        self.openAlerts = openAlerts
        self.devices = devices ?? resident.devices.map { DeviceView(id: $0) }
        if let location {
            self.location = location
        } else if let fix = vitals[.location], case .location(let l) = fix.value {
            self.location = ResidentLocation(lat: l.lat, lon: l.lon, at: fix.at)
        } else {
            self.location = nil
        }
    }
}

/// The latest value of one kind and when it was measured.
public struct LatestVital: Sendable, Hashable {
    public var value: ReadingValue
    public var at: EpochMillis

    public init(value: ReadingValue, at: EpochMillis) {
        self.value = value
        self.at = at
    }
}
