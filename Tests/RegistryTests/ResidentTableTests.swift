import AnxinCore
import XCTest

@testable import Registry

final class ResidentTableTests: XCTestCase {
    private let residents = [
        Resident(
            id: "R-0001", name: "王桂兰", bed: "BN-01-0101-1", room: "1号楼101室", address: "昆明市晋宁区昆阳街道月山社区1号楼101室",
            phone: "13800000000", contacts: [Contact(name: "王玉珍", relation: "儿子", phone: "13900000000")], careLevel: 2,
            flags: ["lives_alone"], devices: ["865000000000000", "BED-7"],
            homeZone: HomeZone(lat: 24.67, lon: 102.6, radiusM: 300),
            thresholds: ["heart_rate_high": 110, "spo2_low": 88], medicalNotes: "高血压\n糖尿病",
            keyHolder: Contact(name: "邻居", phone: "13700000000"), sims: ["865000000000000": "14700000000"]),
        Resident(id: "R-0002", name: "李"),
        Resident(id: "R-0003", name: "Zoë", address: String(repeating: "长地址", count: 200), devices: ["a", "b", "c"]),
    ]

    func testEveryResidentReadsBackWholeAndTheHotFieldsWithoutDecoding() {
        let table = ResidentTable(residents)
        XCTAssertEqual(table.count, 3)
        XCTAssertEqual(Array(table), residents)
        XCTAssertEqual(table.ids, ["R-0001", "R-0002", "R-0003"])
        for (i, r) in residents.enumerated() {
            XCTAssertEqual(table[i], r)
            XCTAssertEqual(table.thresholds(at: i), r.thresholds)
            XCTAssertEqual(table.homeZone(at: i), r.homeZone)
        }
        XCTAssertTrue(ResidentTable().isEmpty)
    }

    func testTheCacheWritesTheTablesBytesAndReadsThemBackAsTheyWere() throws {
        let snapshot = RegistrySnapshot(
            residents: residents, beds: [Bed(code: "BN-01-0101-1", room: "1号楼101室", devices: ["BED-9"])])
        let encoded = RegistryBinaryCodec.encode(snapshot)
        let back = try encoded.withUnsafeBytes { try RegistryBinaryCodec.decode($0) }
        XCTAssertEqual(back.residents, snapshot.residents)
        XCTAssertEqual(Array(back.residents), residents)
        XCTAssertEqual(back.beds, snapshot.beds)
        XCTAssertEqual(back.bindings, snapshot.bindings)
        XCTAssertEqual(back.residentIndex, snapshot.residentIndex)
        XCTAssertEqual(back.bindings["BED-9"], .bed(residentIndex: 0, bedIndex: 0))
        XCTAssertEqual(back.bindings["c"], .worn(residentIndex: 2))
        // The table kept the cache's bytes: written again, the cache is the same file.
        XCTAssertEqual(RegistryBinaryCodec.encode(back), encoded)
        back.residents.withEncodedResidents { a in
            snapshot.residents.withEncodedResidents { b in XCTAssertTrue(a.elementsEqual(b)) }
        }
    }

    /// The parser's parts are joined builder to builder: every resident keeps its bytes, home zone,
    /// bed and devices, whatever part it came from.
    func testJoinedBuildersHoldEveryPartsResidents() {
        var zoned = residents
        zoned[2].homeZone = HomeZone(lat: 25, lon: 103, radiusM: 150)
        var first = ResidentTable.Builder(capacity: 1)
        first.append(zoned[0])
        var second = ResidentTable.Builder(capacity: 2)
        second.append(zoned[1])
        second.append(zoned[2])
        first.append(contentsOf: second)
        let joined = RegistrySnapshot(residents: first, beds: [])
        XCTAssertEqual(Array(joined.residents), zoned)
        XCTAssertEqual(joined.residents, ResidentTable(zoned))
        XCTAssertEqual(joined.residents.homeZone(at: 0), zoned[0].homeZone)
        XCTAssertNil(joined.residents.homeZone(at: 1))
        XCTAssertEqual(joined.residents.homeZone(at: 2), zoned[2].homeZone)
        XCTAssertEqual((0..<3).map { first.bed(at: $0) }, zoned.map(\.bed))
        XCTAssertEqual((0..<3).map { first.devices(at: $0) }, zoned.map(\.devices))
        XCTAssertEqual(joined.bindings["c"], .worn(residentIndex: 2))
        XCTAssertEqual(joined.residentIndex["R-0003"], 2)
    }

    func testTablesAreEqualWhenTheirResidentsAre() {
        XCTAssertEqual(ResidentTable(residents), ResidentTable(residents))
        var changed = residents
        changed[1].phone = "1"
        XCTAssertNotEqual(ResidentTable(changed), ResidentTable(residents))
        XCTAssertNotEqual(ResidentTable(Array(residents.dropLast())), ResidentTable(residents))
        // Different bytes, equal strings (composed and decomposed é): still equal residents.
        let composed = ResidentTable([Resident(id: "R-1", name: "Andr\u{E9}")])
        let decomposed = ResidentTable([Resident(id: "R-1", name: "Andre\u{301}")])
        composed.withEncodedResidents { a in
            decomposed.withEncodedResidents { b in XCTAssertFalse(a.elementsEqual(b)) }
        }
        XCTAssertEqual(composed, decomposed)
    }
}
