import AnxinCore
import XCTest

@testable import Registry

final class RegistryCSVTests: XCTestCase {
    var folder: TemporaryFolder!

    override func setUpWithError() throws {
        folder = try TemporaryFolder()
    }

    override func tearDown() {
        folder.remove()
    }

    private func checkFixtureResidents(_ s: RegistrySnapshot) {
        XCTAssertEqual(s.residents.count, 3)
        XCTAssertEqual(
            s.residents[0],
            Resident(
                id: "R-0001", name: "张桂兰", bed: "JN-KY-03-0302-1", room: "3号楼302室",
                address: "昆明市晋宁区昆阳街道月山社区3号楼302室", phone: "13800000000",
                contacts: [Contact(name: "李明", relation: "儿子", phone: "13900000000")], careLevel: 2,
                flags: ["lives_alone", "dementia"], devices: ["865067021234567"],
                homeZone: HomeZone(lat: 24.6692, lon: 102.5958, radiusM: 300),
                medicalNotes: "高血压, 青霉素过敏", keyHolder: Contact(name: "邻居刘阿姨", phone: "13600000000")))
        XCTAssertEqual(
            s.residents[1],
            Resident(
                id: "R-0002", name: "王建国", bed: "JN-KY-03-0302-2", room: "3号楼302室",
                address: "昆明市晋宁区昆阳街道\r\n月山社区3号楼302室", phone: "13800000001",
                contacts: [Contact(name: "王芳", relation: "女儿", phone: "13900000001")], careLevel: 3,
                devices: ["4700609403", "band-00172"], medicalNotes: "他说\"不要打扰\""))
        XCTAssertEqual(s.residents[2], Resident(id: "R-0003", name: "李秀英", careLevel: 0))
        XCTAssertEqual(s.beds, [Bed(code: "JN-KY-03-0302-1", room: "3号楼302室", devices: ["201906078"])])
        XCTAssertEqual(s.resident(forDevice: "201906078")?.name, "张桂兰")
        XCTAssertEqual(s.resident(forDevice: "band-00172")?.name, "王建国")
    }

    func testUTF8WithBOMImports() throws {
        checkFixtureResidents(try RegistryLoader.importCSV(path: RegistryFixtures.path("residents-utf8.csv")))
    }

    func testGB18030Imports() throws {
        let utf8 = try RegistryFixtures.bytes("residents-utf8.csv")
        XCTAssertEqual(Array(utf8.prefix(3)), [0xEF, 0xBB, 0xBF])
        // Excel's "CSV" on a Chinese Windows: the ANSI code page, no byte order mark.
        let gb = try RegistryTextDecoding.transcode(Array(utf8.dropFirst(3)), from: "UTF-8", to: "GB18030").get()
        XCTAssertNil(String(validating: gb, as: UTF8.self), "the fixture must not be valid UTF-8")
        // 张 is D5 C5 in GB2312/GBK/GB18030.
        XCTAssertTrue(gb.starts(with: Array("编号,姓名,".utf8)) == false)
        let path = try folder.write("gb.csv", gb)
        checkFixtureResidents(try RegistryLoader.importCSV(path: path))
        XCTAssertTrue(gb.indices.dropLast().contains { gb[$0] == 0xD5 && gb[$0 + 1] == 0xC5 })
    }

    func testUTF8WithoutBOMAndEnglishHeadersImports() throws {
        let path = try folder.write(
            "r.csv",
            "ID,Name,phone,devices,flags\nR-9,赵六,+86 138 0000 0000,a1;a2,lives_alone;dementia\n")
        let s = try RegistryLoader.importCSV(path: path)
        XCTAssertEqual(
            Array(s.residents),
            [
                Resident(
                    id: "R-9", name: "赵六", phone: "+86 138 0000 0000", flags: ["lives_alone", "dementia"],
                    devices: ["a1", "a2"])
            ])
    }

    func testCSVProblemsAreReportedWithRowLines() throws {
        let path = try folder.write(
            "r.csv",
            """
            编号,姓名,设备,护理等级,电话,床垫设备
            R-1,甲,8.65067E+14,2,,
            R-2,乙,d-1,9,138abc,s-1
            R-1,丙,d-1,1,,
            R-4,丁,,1,,,extra

            """)
        XCTAssertThrowsError(try RegistryLoader.importCSV(path: path)) { error in
            XCTAssertEqual(
                (error as? RegistryLoadError)?.diagnostics.map(\.description),
                [
                    "\(path):2: devices was shortened by the spreadsheet (like 8.65E+14); format the column as text and export again",
                    "\(path):3: phone must be digits, optionally with + - ( ) # , and spaces",
                    "\(path):3: care_level must be a whole number from 0 to 4",
                    "\(path):3: bed_devices needs a bed code in the same row",
                    "\(path):4: duplicate resident id, first defined at line 2",
                    "\(path):4: device is already bound at line 3",
                    "\(path):5: the row has 7 fields but the header has 6",
                ])
        }
    }

    func testUnknownColumnAndUnclosedQuote() throws {
        let bad = try folder.write("h.csv", "id,name,年龄\nR-1,甲,80\n")
        XCTAssertThrowsError(try RegistryLoader.importCSV(path: bad)) { error in
            let d = (error as? RegistryLoadError)?.diagnostics ?? []
            XCTAssertEqual(d.count, 1)
            XCTAssertEqual(d.first?.line, 1)
            XCTAssertTrue(d.first?.message.hasPrefix("unknown column '年龄'") ?? false)
        }
        let quote = try folder.write("q.csv", "id,name\nR-1,甲\nR-2,\"乙\n")
        XCTAssertThrowsError(try RegistryLoader.importCSV(path: quote)) { error in
            XCTAssertEqual(
                (error as? RegistryLoadError)?.diagnostics.map(\.description),
                ["\(quote):3: a quoted field is never closed"])
        }
    }

    func testNeitherUTF8NorGB18030IsReported() throws {
        // 0xFF is not a GB18030 lead byte.
        let path = try folder.write("x.csv", Array("id,name\nR-1,".utf8) + [0xFF, 0xFF] + Array("\n".utf8))
        XCTAssertThrowsError(try RegistryLoader.importCSV(path: path)) { error in
            XCTAssertEqual(
                (error as? RegistryLoadError)?.diagnostics.map(\.description),
                ["\(path):2: neither UTF-8 nor GB18030 text (invalid byte sequence)"])
        }
    }

    func testRoundTripThroughRenderYAMLAndLoad() throws {
        let imported = try RegistryLoader.importCSV(path: RegistryFixtures.path("residents-utf8.csv"))
        let yaml = RegistryLoader.renderYAML(imported)
        let path = try folder.write("registry.yaml", yaml)
        let loaded = try RegistryLoader.load(path: path)
        XCTAssertEqual(loaded.residents, imported.residents)
        XCTAssertEqual(loaded.beds, imported.beds)
        XCTAssertEqual(loaded.bindings, imported.bindings)
        XCTAssertTrue(yaml.contains("    name: \"张桂兰\"\n"), yaml)
    }
}

final class RegistryExampleFileTests: XCTestCase {
    // Resolved: the test folder may be reached through a symlink from a work package.
    static let config = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Config")

    func testShippedExamplesLoadAndAgree() throws {
        let yaml = try RegistryLoader.load(path: Self.config.appendingPathComponent("registry.example.yaml").path)
        let csv = try RegistryLoader.importCSV(path: Self.config.appendingPathComponent("registry.example.csv").path)
        XCTAssertEqual(yaml.residents.map(\.id), ["R-0001", "R-0002"])
        XCTAssertEqual(csv.residents.map(\.id), ["R-0001", "R-0002"])
        XCTAssertEqual(yaml.resident(forDevice: "201906079")?.name, "王建国")
        XCTAssertEqual(csv.resident(forDevice: "201906079")?.name, "王建国")
        let zone = try XCTUnwrap(yaml.residents[1].homeZone)
        XCTAssertEqual(csv.residents[1].homeZone, zone)
        // Converted from BD-09: several hundred metres away from the Baidu coordinates.
        XCTAssertGreaterThan(abs(zone.lon - 102.6056), 0.005)
        XCTAssertEqual(csv.residents[0].keyHolder, Contact(name: "邻居刘阿姨", phone: "13600000000"))
    }
}
