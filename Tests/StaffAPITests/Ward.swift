import AnxinCore
import StaffAPI

/// Fixtures: one resident of 晋宁 with a wristband and a bed sensor, three alerts.
enum Ward {
    static func at(_ iso: String) -> EpochMillis { Timestamp.parseISO8601(iso)! }

    static let actionTime = "2026-11-22T00:20:00Z"

    static let sos = AlertView(
        id: "A-0003", rule: "sos", severity: .critical, state: .open,
        resident: ResidentRef(id: "R-0001", name: "张桂兰", bed: "JN-KY-03-0302-1", room: "3号楼302室"),
        device: DeviceRef(id: "4700609403", profile: "setracker-3g"),
        trigger: #"{"event": "sos"}"#, openedAt: "2026-11-22T00:16:12Z", updatedAt: "2026-11-22T00:16:12Z",
        incident: IncidentRef(id: "INC-A-0003", state: "delivered", ticket: "T-12349-88"))

    static let sosJSON =
        #"{"id":"A-0003","rule":"sos","severity":"critical","state":"open","#
        + #""resident":{"id":"R-0001","name":"张桂兰","bed":"JN-KY-03-0302-1","room":"3号楼302室"},"#
        + #""device":{"id":"4700609403","profile":"setracker-3g"},"trigger":{"event": "sos"},"#
        + #""opened_at":"2026-11-22T00:16:12Z","updated_at":"2026-11-22T00:16:12Z","#
        + #""acknowledged_at":null,"acknowledged_by":null,"resolved_at":null,"#
        + #""incident":{"id":"INC-A-0003","state":"delivered","ticket":"T-12349-88"}}"#

    static let heartRate = AlertView(
        id: "A-0002", rule: "heart_rate_high", severity: .urgent, state: .acknowledged, resident: nil,
        device: DeviceRef(id: "865067021234599", profile: "wonlex-kt"),
        trigger: #"{"kind":"heart_rate","value":142}"#, openedAt: "2026-11-22T00:10:00Z",
        updatedAt: "2026-11-22T00:12:30Z", acknowledgedAt: "2026-11-22T00:13:05Z", acknowledgedBy: "N-07")

    static let heartRateJSON =
        #"{"id":"A-0002","rule":"heart_rate_high","severity":"urgent","state":"acknowledged","#
        + #""resident":null,"device":{"id":"865067021234599","profile":"wonlex-kt"},"#
        + #""trigger":{"kind":"heart_rate","value":142},"opened_at":"2026-11-22T00:10:00Z","#
        + #""updated_at":"2026-11-22T00:12:30Z","acknowledged_at":"2026-11-22T00:13:05Z","#
        + #""acknowledged_by":"N-07","resolved_at":null,"incident":null}"#

    static let outage = AlertView(
        id: "A-0001", rule: "ingest_outage", severity: .warning, state: .resolved, resident: nil,
        device: nil, trigger: #"{"silent_devices":12}"#, openedAt: "2026-11-21T23:00:00Z",
        updatedAt: "2026-11-21T23:30:00Z", acknowledgedAt: "2026-11-21T23:05:00Z",
        acknowledgedBy: "N-02", resolvedAt: "2026-11-21T23:30:00Z")

    static let outageJSON =
        #"{"id":"A-0001","rule":"ingest_outage","severity":"warning","state":"resolved","#
        + #""resident":null,"device":null,"trigger":{"silent_devices":12},"#
        + #""opened_at":"2026-11-21T23:00:00Z","updated_at":"2026-11-21T23:30:00Z","#
        + #""acknowledged_at":"2026-11-21T23:05:00Z","acknowledged_by":"N-02","#
        + #""resolved_at":"2026-11-21T23:30:00Z","incident":null}"#

    /// Newest first.
    static let alerts = [sos, heartRate, outage]

    static let resident = Resident(
        id: "R-0001", name: "张桂兰", bed: "JN-KY-03-0302-1", room: "3号楼302室",
        address: "昆明市晋宁区昆阳街道月山社区3号楼302室", phone: "13800000000",
        contacts: [Contact(name: "李明", relation: "儿子", phone: "13900000000")], careLevel: 2,
        flags: ["lives_alone", "dementia"], devices: ["865067021234567"],
        homeZone: HomeZone(lat: 24.6692, lon: 102.5958, radiusM: 300),
        thresholds: ["heart_rate_high": 140, "bp_high.systolic": 170], medicalNotes: "高血压, 青霉素过敏",
        keyHolder: Contact(name: "邻居刘阿姨", phone: "13600000000"),
        sims: ["865067021234567": "14700000000"])

    static let residentView = ResidentView(
        resident: resident,
        vitals: [
            .location: LatestVital(
                value: .location(Location(lat: 24.6693, lon: 102.5959, accuracyM: 15, source: .gps)),
                at: at("2026-11-22T00:14:00Z")),
            .heartRate: LatestVital(value: .number(78), at: at("2026-11-22T00:15:30Z")),
            .spo2: LatestVital(value: .number(97.5), at: at("2026-11-22T00:15:30.250Z")),
        ],
        openAlerts: [sos])

    static let residentJSON =
        #"{"id":"R-0001","name":"张桂兰","bed":"JN-KY-03-0302-1","room":"3号楼302室","#
        + #""address":"昆明市晋宁区昆阳街道月山社区3号楼302室","phone":"13800000000","#
        + #""contacts":[{"name":"李明","relation":"儿子","phone":"13900000000"}],"care_level":2,"#
        + #""flags":["lives_alone","dementia"],"devices":["865067021234567"],"#
        + #""home_zone":{"lat":24.6692,"lon":102.5958,"radius_m":300},"#
        + #""thresholds":{"bp_high.systolic":170,"heart_rate_high":140},"medical_notes":"高血压, 青霉素过敏","#
        + #""key_holder":{"name":"邻居刘阿姨","relation":null,"phone":"13600000000"},"#
        + #""sims":{"865067021234567":"14700000000"},"#
        + #""vitals":{"heart_rate":{"value":78,"at":"2026-11-22T00:15:30Z"},"#
        + #""spo2":{"value":97.5,"at":"2026-11-22T00:15:30.250Z"},"#
        + #""location":{"value":{"lat":24.6693,"lon":102.5959,"datum":"wgs84","source":"gps","accuracy_m":15},"#
        + #""at":"2026-11-22T00:14:00Z"}},"open_alerts":["# + sosJSON + "]}"

    /// Newest first.
    static let readings = [
        ReadingView(kind: .heartRate, value: .number(78), at: at("2026-11-22T00:15:30Z"), device: "865067021234567"),
        ReadingView(kind: .inBed, value: .bool(false), at: at("2026-11-22T00:05:00Z"), device: "201906078"),
        ReadingView(kind: .heartRate, value: .number(72.5), at: at("2026-11-21T23:50:00Z"), device: "865067021234567"),
    ]

    static let readingJSON = [
        #"{"kind":"heart_rate","value":78,"at":"2026-11-22T00:15:30Z","device":"865067021234567"}"#,
        #"{"kind":"in_bed","value":false,"at":"2026-11-22T00:05:00Z","device":"201906078"}"#,
        #"{"kind":"heart_rate","value":72.5,"at":"2026-11-21T23:50:00Z","device":"865067021234567"}"#,
    ]
}
