import AnxinCore
import StaffAPI
import Store

/// Fixtures: one resident of 晋宁 with a wristband and a bed sensor, three alerts.
enum Ward {
    static func at(_ iso: String) -> EpochMillis { Timestamp.parseISO8601(iso)! }

    static let actionTime = "2026-11-22T00:20:00Z"

    static let sos = AlertView(
        id: "A-0003", rule: "sos", severity: .critical, state: .open,
        resident: ResidentRef(id: "R-0001", name: "张桂兰", bed: "JN-KY-03-0302-1", room: "3号楼302室", careLevel: 2),
        device: DeviceRef(id: "4700609403", profile: "setracker-3g"),
        trigger: #"{"event": "sos"}"#, openedAt: "2026-11-22T00:16:12Z", updatedAt: "2026-11-22T00:16:12Z",
        incident: IncidentRef(id: "INC-A-0003", state: "delivered", ticket: "T-12349-88"), escalationStep: 1,
        escalatedAt: "2026-11-22T00:16:12Z", hotlineStatus: "received")

    static let sosJSON =
        #"{"id":"A-0003","rule":"sos","severity":"critical","state":"open","#
        + #""resident":{"id":"R-0001","name":"张桂兰","bed":"JN-KY-03-0302-1","room":"3号楼302室","care_level":2},"#
        + #""device":{"id":"4700609403","profile":"setracker-3g"},"trigger":{"event": "sos"},"#
        + #""opened_at":"2026-11-22T00:16:12Z","updated_at":"2026-11-22T00:16:12Z","#
        + #""acknowledged_at":null,"acknowledged_by":null,"resolved_at":null,"#
        + #""incident":{"id":"INC-A-0003","state":"delivered","ticket":"T-12349-88"},"#
        + #""silenced":false,"escalation_step":1,"escalated_at":"2026-11-22T00:16:12Z","cancelled":false,"#
        + #""hotline_status":"received"}"#

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
        + #""acknowledged_by":"N-07","resolved_at":null,"incident":null,"#
        + #""silenced":false,"escalation_step":0,"escalated_at":null,"cancelled":false,"hotline_status":null}"#

    static let outage = AlertView(
        id: "A-0001", rule: "ingest_outage", severity: .warning, state: .resolved, resident: nil,
        device: nil, trigger: #"{"silent_devices":12}"#, openedAt: "2026-11-21T23:00:00Z",
        updatedAt: "2026-11-21T23:30:00Z", acknowledgedAt: "2026-11-21T23:05:00Z",
        acknowledgedBy: "N-02", resolvedAt: "2026-11-21T23:30:00Z", silenced: true)

    static let outageJSON =
        #"{"id":"A-0001","rule":"ingest_outage","severity":"warning","state":"resolved","#
        + #""resident":null,"device":null,"trigger":{"silent_devices":12},"#
        + #""opened_at":"2026-11-21T23:00:00Z","updated_at":"2026-11-21T23:30:00Z","#
        + #""acknowledged_at":"2026-11-21T23:05:00Z","acknowledged_by":"N-02","#
        + #""resolved_at":"2026-11-21T23:30:00Z","incident":null,"#
        + #""silenced":true,"escalation_step":0,"escalated_at":null,"cancelled":false,"hotline_status":null}"#

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
        openAlerts: [sos],
        devices: [
            DeviceView(
                id: "865067021234567", profile: "wonlex-kt", lastSeen: at("2026-11-22T00:15:30Z"), battery: 64)
        ])

    static let residentJSON =
        #"{"id":"R-0001","name":"张桂兰","bed":"JN-KY-03-0302-1","room":"3号楼302室","#
        + #""address":"昆明市晋宁区昆阳街道月山社区3号楼302室","phone":"13800000000","#
        + #""contacts":[{"name":"李明","relation":"儿子","phone":"13900000000"}],"care_level":2,"#
        + #""flags":["lives_alone","dementia"],"#
        + #""devices":[{"id":"865067021234567","profile":"wonlex-kt","battery":64,"#
        + #""last_seen":"2026-11-22T00:15:30Z","silent":false}],"#
        + #""home_zone":{"lat":24.6692,"lon":102.5958,"radius_m":300},"#
        + #""location":{"lat":24.6693,"lon":102.5959,"datum":"wgs84","at":"2026-11-22T00:14:00Z"},"#
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

    static let devices = [
        DeviceView(
            id: "4700609403", profile: "setracker-3g",
            resident: ResidentRef(id: "R-0001", name: "张桂兰", bed: "JN-KY-03-0302-1", room: "3号楼302室", careLevel: 2),
            lastSeen: at("2026-11-22T00:16:12Z"), battery: 15),
        DeviceView(
            id: "201906078", profile: "bed-mat", registered: false, lastSeen: at("2026-11-21T20:00:00Z"), silent: true),
    ]

    static let devicesJSON = [
        #"{"id":"4700609403","profile":"setracker-3g","#
            + #""resident":{"id":"R-0001","name":"张桂兰","bed":"JN-KY-03-0302-1","room":"3号楼302室","care_level":2},"#
            + #""registered":true,"last_seen":"2026-11-22T00:16:12Z","battery":15,"silent":false}"#,
        #"{"id":"201906078","profile":"bed-mat","resident":null,"registered":false,"#
            + #""last_seen":"2026-11-21T20:00:00Z","battery":null,"silent":true}"#,
    ]

    /// Newest first: a rejected follow-up (its id holds a slash) and the delivered incident.
    static let outbox = [
        OutboxItem(
            id: "INC-A-0003/ack", alertID: "A-0003", priority: 0, body: [], createdAt: at("2026-11-22T00:18:00Z"),
            state: .rejected, attempts: 1, nextAttemptAt: at("2026-11-22T00:18:00Z"), lastStatus: 422,
            lastError: "hotline refused the update (422)", channel: "hotline", kind: .update),
        OutboxItem(
            id: "INC-A-0003", alertID: "A-0003", priority: 0, body: [], createdAt: at("2026-11-22T00:16:12Z"),
            state: .delivered, attempts: 1, nextAttemptAt: at("2026-11-22T00:16:12Z"), lastStatus: 201,
            ticket: "T-12349-88", deliveredAt: at("2026-11-22T00:16:13Z")),
    ]

    static let rejectedItemJSON =
        #"{"id":"INC-A-0003/ack","alert_id":"A-0003","channel":"hotline","kind":"update","state":"rejected","#
        + #""attempts":1,"last_status":422,"last_error":"hotline refused the update (422)","ticket":null,"#
        + #""created_at":"2026-11-22T00:18:00Z","next_attempt_at":"2026-11-22T00:18:00Z"}"#

    static let deliveredItemJSON =
        #"{"id":"INC-A-0003","alert_id":"A-0003","channel":"hotline","kind":"incident","state":"delivered","#
        + #""attempts":1,"last_status":201,"last_error":null,"ticket":"T-12349-88","#
        + #""created_at":"2026-11-22T00:16:12Z","next_attempt_at":"2026-11-22T00:16:12Z"}"#

    static let silence = SilenceRecord(
        id: 1, scope: .device, target: "201906078", reason: "充电", createdBy: "李护士",
        createdAt: at("2026-11-22T00:00:00Z"), endsAt: at("2026-11-22T02:00:00Z"))

    static let silenceJSON =
        #"{"id":1,"scope":"device","target":"201906078","reason":"充电","by":"李护士","#
        + #""created_at":"2026-11-22T00:00:00Z","ends_at":"2026-11-22T02:00:00Z"}"#

    static let history = [
        AlertHistoryEntry(alertID: "A-0003", at: at("2026-11-22T00:16:12Z"), action: .opened, by: "rules"),
        AlertHistoryEntry(
            alertID: "A-0003", at: at("2026-11-22T00:16:13Z"), action: .delivered, by: "hotline",
            detail: #"{"ticket":"T-12349-88"}"#),
    ]
}
