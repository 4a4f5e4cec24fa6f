import AnxinCore
import Foundation
import XCTest

@testable import StaffAPI

final class StaffJSONTests: XCTestCase {
    func testAlertJSONHasSpecFieldsInOrderAndTriggerVerbatim() {
        XCTAssertEqual(Ward.sos.jsonText, Ward.sosJSON)
        XCTAssertEqual(Ward.heartRate.jsonText, Ward.heartRateJSON)
        XCTAssertEqual(Ward.outage.jsonText, Ward.outageJSON)
    }

    func testAlertJSONIsValidJSONWithSnakeCaseKeys() throws {
        guard case .object(let fields)? = JSONTree.parse(Ward.heartRate.jsonText) else {
            return XCTFail("not a JSON object")
        }
        XCTAssertEqual(
            fields.keys.sorted(),
            [
                "acknowledged_at", "acknowledged_by", "cancelled", "device", "escalated_at", "escalation_step",
                "hotline_status", "id", "incident", "opened_at", "resident", "resolved_at", "rule", "severity",
                "silenced", "state", "trigger", "updated_at",
            ])
        XCTAssertEqual(fields["trigger"], .object(["kind": .string("heart_rate"), "value": .number(142)]))
    }

    func testEmptyTriggerIsWrittenAsNull() {
        var alert = Ward.heartRate
        alert.trigger = ""
        XCTAssertTrue(alert.jsonText.contains(#""trigger":null,"#))
    }

    func testAlertCodableRoundTripsTheAPIShape() throws {
        let data = try JSONEncoder().encode(Ward.sos)
        let tree = try JSONDecoder().decode(JSONTree.self, from: data)
        XCTAssertEqual(tree, JSONTree.parse(Ward.sosJSON))
        let back = try JSONDecoder().decode(AlertView.self, from: Data(Ward.heartRateJSON.utf8))
        XCTAssertEqual(back, Ward.heartRate)
    }

    func testAlertDecodingRejectsUnknownSeverity() {
        let text = Ward.heartRateJSON.replacingOccurrences(of: #""urgent""#, with: #""dire""#)
        XCTAssertThrowsError(try JSONDecoder().decode(AlertView.self, from: Data(text.utf8)))
    }

    func testResidentJSONHasEveryRegistryFieldVitalsAndOpenAlerts() {
        XCTAssertEqual(Ward.residentView.jsonText, Ward.residentJSON)
        XCTAssertNotNil(JSONTree.parse(Ward.residentView.jsonText))
    }

    func testSparseResidentWritesNullsAndEmptyCollections() {
        let view = ResidentView(resident: Resident(id: "R-0009", name: "王\"老\"伯"))
        XCTAssertEqual(
            view.jsonText,
            #"{"id":"R-0009","name":"王\"老\"伯","bed":null,"room":null,"address":null,"phone":null,"#
                + #""contacts":[],"care_level":null,"flags":[],"devices":[],"home_zone":null,"location":null,"#
                + #""thresholds":{},"#
                + #""medical_notes":null,"key_holder":null,"sims":{},"vitals":{},"open_alerts":[]}"#)
    }

    func testReadingJSONForNumberBoolAndLocation() {
        XCTAssertEqual(Ward.readings.map(\.jsonText), Ward.readingJSON)
        let fix = ReadingView(
            kind: .location, value: .location(Location(lat: 24.6693, lon: 102.5959, source: .wifi)),
            at: Ward.at("2026-11-22T00:14:00.5Z"), device: "4700609403")
        XCTAssertEqual(
            fix.jsonText,
            #"{"kind":"location","value":{"lat":24.6693,"lon":102.5959,"datum":"wgs84","source":"wifi"},"#
                + #""at":"2026-11-22T00:14:00.500Z","device":"4700609403"}"#)
    }
}
