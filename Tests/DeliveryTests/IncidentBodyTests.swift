import AnxinCore
import Foundation
import XCTest

@testable import Delivery

final class IncidentBodyTests: XCTestCase {
    /// 2026-11-22T08:16:12+08:00
    let occurred = Timestamp.millis(year: 2026, month: 11, day: 22, hour: 0, minute: 16, second: 12)!

    func testSOSFromRegisteredResidentRendersTheSpecBody() throws {
        let resident = Resident(
            id: "R-0001", name: "张桂兰", bed: "JN-KY-03-0302-1", room: "3号楼302室",
            address: "昆明市晋宁区昆阳街道月山社区3号楼302室", phone: "13800000000",
            contacts: [Contact(name: "李明", relation: "儿子", phone: "13900000000")], careLevel: 2,
            flags: ["lives_alone", "dementia"], devices: ["4700609403"], medicalNotes: "高血压, 青霉素过敏",
            keyHolder: Contact(name: "邻居刘阿姨", phone: "13600000000"), sims: ["4700609403": "14700000000"])
        let draft = IncidentDraft(
            id: "INC-0001", gatewayID: "jinning-01", rule: "sos", severity: .critical, occurredAt: occurred,
            utcOffsetSeconds: 8 * 3600, trigger: .event(.sos), summary: "张桂兰 3号楼302室 SOS 呼叫",
            resident: resident,
            device: .init(id: "4700609403", profile: "setracker-3g", registered: true, sim: "14700000000"),
            location: .init(Location(lat: 24.6693, lon: 102.5959, source: .gps), at: occurred - 30_000),
            vitals: [
                .init(.systolic, 128, at: occurred - 120_000),
                .init(.heartRate, 80, at: occurred - 300_000),
                .init(.heartRate, 78, at: occurred - 60_000),
                .init(.bodyTemp, 36.55, at: occurred - 90_000),
            ])

        let body = IncidentBody.render(draft)

        let expected =
            #"{"id":"INC-0001","gateway_id":"jinning-01","rule":"sos","severity":"critical","#
            + #""occurred_at":"2026-11-22T08:16:12+08:00","trigger":{"event":"sos"},"#
            + #""summary":"张桂兰 3号楼302室 SOS 呼叫","#
            + #""resident":{"id":"R-0001","name":"张桂兰","bed":"JN-KY-03-0302-1","room":"3号楼302室","#
            + #""address":"昆明市晋宁区昆阳街道月山社区3号楼302室","phone":"13800000000","#
            + #""contacts":[{"name":"李明","relation":"儿子","phone":"13900000000"}],"#
            + #""care_level":2,"flags":["lives_alone","dementia"],"medical_notes":"高血压, 青霉素过敏","#
            + #""key_holder":{"name":"邻居刘阿姨","phone":"13600000000"}},"#
            + #""device":{"id":"4700609403","profile":"setracker-3g","registered":true,"sim":"14700000000"},"#
            + #""location":{"lat":24.6693,"lon":102.5959,"datum":"wgs84","source":"gps","#
            + #""at":"2026-11-22T08:15:42+08:00"},"#
            + #""vitals":{"heart_rate":{"value":78,"at":"2026-11-22T08:15:12+08:00"},"#
            + #""systolic":{"value":128,"at":"2026-11-22T08:14:12+08:00"},"#
            + #""body_temp":{"value":36.55,"at":"2026-11-22T08:14:42+08:00"}}}"#
        XCTAssertEqual(String(decoding: body, as: UTF8.self), expected)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    func testUnregisteredDeviceRendersResidentAndLocationNull() {
        let draft = IncidentDraft(
            id: "INC-0002", gatewayID: "jinning-01", rule: "bp_crisis", severity: .critical,
            occurredAt: occurred + 500, utcOffsetSeconds: 8 * 3600, trigger: .reading(.systolic, .number(230)),
            summary: "未登记设备 865067021234567 血压危象 230/125", resident: nil, bedCode: "ignored", room: "ignored",
            device: .init(id: "865067021234567", profile: "generic-bp", registered: false))

        let body = String(decoding: IncidentBody.render(draft), as: UTF8.self)

        XCTAssertEqual(
            body,
            #"{"id":"INC-0002","gateway_id":"jinning-01","rule":"bp_crisis","severity":"critical","#
                + #""occurred_at":"2026-11-22T08:16:12.500+08:00","trigger":{"kind":"systolic","value":230},"#
                + #""summary":"未登记设备 865067021234567 血压危象 230/125","resident":null,"#
                + #""device":{"id":"865067021234567","profile":"generic-bp","registered":false,"sim":null},"#
                + #""location":null,"vitals":{}}"#)
    }

    func testBedSensorIncidentUsesTheBedsRoomAndEscapesText() {
        let resident = Resident(id: "R-7", name: "王\"老\"师", bed: "B-1", room: "1楼")
        let draft = IncidentDraft(
            id: "INC-3", gatewayID: "g", rule: "geofence_exit", severity: .urgent, occurredAt: 0,
            utcOffsetSeconds: 0,
            trigger: .reading(.location, .location(Location(lat: 24.5, lon: 102.25, accuracyM: 12, source: .lbs))),
            summary: "line1\nline2", resident: resident, bedCode: "B-2", room: "2楼",
            device: .init(id: "d", profile: "p", registered: true))

        let body = String(decoding: IncidentBody.render(draft), as: UTF8.self)

        XCTAssertEqual(
            body,
            #"{"id":"INC-3","gateway_id":"g","rule":"geofence_exit","severity":"urgent","#
                + #""occurred_at":"1970-01-01T00:00:00Z","#
                + #""trigger":{"kind":"location","value":{"lat":24.5,"lon":102.25,"datum":"wgs84","source":"lbs","accuracy_m":12}},"#
                + #""summary":"line1\nline2","#
                + #""resident":{"id":"R-7","name":"王\"老\"师","bed":"B-2","room":"2楼","address":null,"phone":null,"#
                + #""contacts":[],"care_level":null,"flags":[],"medical_notes":null,"key_holder":null},"#
                + #""device":{"id":"d","profile":"p","registered":true,"sim":null},"location":null,"vitals":{}}"#)
    }
}
