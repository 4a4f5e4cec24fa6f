import AnxinCore
import XCTest

@testable import Registry

final class RegistryYAMLTests: XCTestCase {
    var folder: TemporaryFolder!

    override func setUpWithError() throws {
        folder = try TemporaryFolder()
    }

    override func tearDown() {
        folder.remove()
    }

    func testSpecExampleParsesToExactValues() throws {
        let snapshot = try RegistryLoader.load(path: RegistryFixtures.path("spec-example.yaml"))
        XCTAssertEqual(snapshot.residents.count, 1)
        let expected = Resident(
            id: "R-0001", name: "张桂兰", bed: "JN-KY-03-0302-1", room: "3号楼302室",
            address: "昆明市晋宁区昆阳街道月山社区3号楼302室", phone: "13800000000",
            contacts: [Contact(name: "李明", relation: "儿子", phone: "13900000000")], careLevel: 2,
            flags: ["lives_alone", "dementia"], devices: ["865067021234567"],
            homeZone: HomeZone(lat: 24.6692, lon: 102.5958, radiusM: 300),
            thresholds: ["heart_rate_high": 140, "bp_high.systolic": 170, "bp_high.diastolic": 105],
            medicalNotes: "高血压, 青霉素过敏", keyHolder: Contact(name: "邻居刘阿姨", phone: "13600000000"),
            sims: ["865067021234567": "14700000000"])
        XCTAssertEqual(snapshot.residents[0], expected)
        XCTAssertEqual(snapshot.beds, [Bed(code: "JN-KY-03-0302-1", devices: ["201906078"])])
        XCTAssertEqual(snapshot.resident(forDevice: "201906078")?.id, "R-0001")
        XCTAssertEqual(snapshot.bindings["201906078"], .bed(residentIndex: 0, bedIndex: 0))
        XCTAssertEqual(snapshot.bedCode(forDevice: "201906078"), "JN-KY-03-0302-1")
        XCTAssertNil(snapshot.bedCode(forDevice: "865067021234567"), "a wristband is on no bed")
        XCTAssertEqual(snapshot.bindings["865067021234567"], .worn(residentIndex: 0))
    }

    /// A city has a binding per device: two 32-bit indexes, not an `Int` and the bed's code.
    func testDeviceBindingIsTwoIndexes() {
        XCTAssertEqual(MemoryLayout<DeviceBinding>.stride, 12)
    }

    func testBedSensorMapsToTheBedsResident() throws {
        let snapshot = try RegistryLoader.load(path: RegistryFixtures.path("two-residents.yaml"))
        XCTAssertEqual(snapshot.residents.map(\.id), ["R-0001", "R-0002"])
        XCTAssertEqual(snapshot.resident(forDevice: "201906078")?.id, "R-0001")
        XCTAssertEqual(snapshot.resident(forDevice: "201906079")?.id, "R-0002")
        XCTAssertEqual(snapshot.bindings["201906079"], .bed(residentIndex: 1, bedIndex: 1))
        XCTAssertEqual(snapshot.bedCode(forDevice: "201906079"), "JN-KY-03-0302-2")
        // An unquoted YAML integer is taken as its digits, for phones and device ids alike.
        XCTAssertEqual(snapshot.residents[0].phone, "13800000000")
        XCTAssertEqual(snapshot.resident(forDevice: "4700609403")?.name, "王建国")
        XCTAssertNil(snapshot.resident(forDevice: "999"))
    }

    func testEveryProblemIsReportedAtOnceWithItsLine() throws {
        let path = RegistryFixtures.path("broken.yaml")
        XCTAssertThrowsError(try RegistryLoader.load(path: path)) { error in
            guard let error = error as? RegistryLoadError else { return XCTFail("\(error)") }
            XCTAssertEqual(
                error.diagnostics.map(\.description),
                [
                    "\(path):5: unknown key 'care_levle' in a resident (known: address, bed, care_level, contacts, devices, flags, home_zone, id, key_holder, medical_notes, name, phone, room, sims, thresholds)",
                    "\(path):9: care_level must be a whole number from 0 to 4",
                    "\(path):10: device is already bound at line 6",
                    "\(path):11: duplicate resident id, first defined at line 2",
                    "\(path):13: home_zone needs radius_m",
                    "\(path):17: duplicate bed code, first defined at line 15",
                    "\(path):18: unknown key 'colour' in a bed (known: code, devices, room)",
                ])
        }
    }

    func testDiagnosticsNeverQuoteResidentData() throws {
        let path = try folder.write(
            "r.yaml",
            """
            residents:
              - {id: R-1, name: 张桂兰, phone: 张桂兰的电话, care_level: 张桂兰}
            """)
        XCTAssertThrowsError(try RegistryLoader.load(path: path)) { error in
            let text = (error as? RegistryLoadError)?.description ?? ""
            XCTAssertEqual(
                text,
                """
                \(path):2: phone must be digits, optionally with + - ( ) # , and spaces
                \(path):2: care_level must be a whole number from 0 to 4
                """)
            XCTAssertFalse(text.contains("张桂兰"))
        }
    }

    func testYAMLSyntaxErrorNamesTheLine() throws {
        let path = try folder.write("r.yaml", "residents:\n  - id: R-1\n    name: [unclosed\n")
        XCTAssertThrowsError(try RegistryLoader.load(path: path)) { error in
            let d = (error as? RegistryLoadError)?.diagnostics ?? []
            XCTAssertEqual(d.count, 1)
            XCTAssertEqual(d.first?.line, 4)
            XCTAssertTrue(d.first?.message.hasPrefix("YAML syntax: ") ?? false, "\(d)")
        }
    }

    func testDuplicateKeyAndMissingFileAndBedSharedAndStraySim() throws {
        let path = try folder.write(
            "r.yaml",
            """
            residents:
              - id: R-1
                name: A
                bed: B-1
                sims: {"111": "14700000000"}
              - id: R-2
                name: B
                bed: B-1
            """)
        XCTAssertThrowsError(try RegistryLoader.load(path: path)) { error in
            XCTAssertEqual(
                (error as? RegistryLoadError)?.diagnostics.map(\.description),
                [
                    "\(path):5: sims names a device that is not in this resident's devices",
                    "\(path):8: bed is already assigned to the resident at line 2",
                ])
        }
        let dup = try folder.write("d.yaml", "residents:\n  - id: R-1\n    name: A\n    name: B\n")
        XCTAssertThrowsError(try RegistryLoader.load(path: dup)) { error in
            XCTAssertEqual(
                (error as? RegistryLoadError)?.diagnostics.map(\.description),
                ["\(dup):3: duplicate key in a mapping"])
        }
        let missing = folder.path + "/none.yaml"
        XCTAssertThrowsError(try RegistryLoader.load(path: missing)) { error in
            XCTAssertEqual(
                (error as? RegistryLoadError)?.diagnostics.map(\.description),
                ["\(missing):0: cannot read the file (missing or not permitted)"])
        }
    }

    func testHomeZoneInGCJ02AndBD09IsStoredAsWGS84() throws {
        let wgs = (lat: 24.6692, lon: 102.5958)
        let gcj = Datum.gcj02.fromWGS84(lat: wgs.lat, lon: wgs.lon)
        let bd = Datum.bd09.fromWGS84(lat: wgs.lat, lon: wgs.lon)
        let path = try folder.write(
            "r.yaml",
            """
            residents:
              - id: R-1
                name: A
                home_zone: {lat: \(gcj.lat), lon: \(gcj.lon), radius_m: 300, datum: gcj02}
              - id: R-2
                name: B
                home_zone: {lat: \(bd.lat), lon: \(bd.lon), radius_m: 250, datum: bd09}
            """)
        let snapshot = try RegistryLoader.load(path: path)
        let z1 = try XCTUnwrap(snapshot.residents[0].homeZone)
        let z2 = try XCTUnwrap(snapshot.residents[1].homeZone)
        XCTAssertEqual(z1.lat, wgs.lat, accuracy: 1e-9)
        XCTAssertEqual(z1.lon, wgs.lon, accuracy: 1e-9)
        XCTAssertEqual(z1.radiusM, 300)
        // Baidu's published inverse is itself approximate, to about 3 cm.
        XCTAssertEqual(z2.lat, wgs.lat, accuracy: 1e-6)
        XCTAssertEqual(z2.lon, wgs.lon, accuracy: 1e-6)
        XCTAssertEqual(z2.radiusM, 250)
    }

    func testEmptyFileIsAnEmptyRegistry() throws {
        let path = try folder.write("r.yaml", "# nobody yet\n")
        let snapshot = try RegistryLoader.load(path: path)
        XCTAssertEqual(snapshot.residents.count, 0)
        XCTAssertEqual(snapshot.beds.count, 0)
    }

    func testRenderYAMLOfTheSpecExampleLoadsBackEqual() throws {
        let snapshot = try RegistryLoader.load(path: RegistryFixtures.path("spec-example.yaml"))
        let path = try folder.write("out.yaml", RegistryLoader.renderYAML(snapshot))
        let again = try RegistryLoader.load(path: path)
        XCTAssertEqual(again.residents, snapshot.residents)
        XCTAssertEqual(again.beds, snapshot.beds)
    }

    func testRenderYAMLQuotesAwkwardText() throws {
        let r = Resident(
            id: "no", name: "A \"quoted\"\\ name\n2", phone: "0871-12345678", flags: ["yes"],
            thresholds: ["bp_high": 1, "bp_high.systolic": 170, "spo2_low": 90.5])
        let path = try folder.write("out.yaml", RegistryLoader.renderYAML(RegistrySnapshot(residents: [r], beds: [])))
        XCTAssertEqual(Array(try RegistryLoader.load(path: path).residents), [r])
    }
}
