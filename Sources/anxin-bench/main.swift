// anxin-bench: decode + rule evaluation per message, for every device shape (issue 5, in-process).
//
// For each message shape in Tests/Fixtures/devices (the shapes of ../shared/devices) it decodes the
// payload with the shipped profiles and judges every observation with the shipped rules, as the
// pipeline does, many times; the measured time of each sample gets a fresh timestamp so every rule
// really runs. Reported: median and p90 ns per message over rounds, against two references measured
// in the same run on the same payload: one pass over its bytes (the floor of any decoder) and
// Foundation's JSONSerialization (what a naive gateway does; JSON shapes only).
//
//   swift build -c release --product anxin-bench && .build/release/anxin-bench [--rounds 41] [--markdown]
import AnxinCore
import Foundation
import Profiles
import Rules

struct Shape {
    var name: String
    var topic: String
    var payload: [UInt8]
}

func loadShapes(root: URL) throws -> [Shape] {
    let folder = root.appendingPathComponent("Tests/Fixtures/devices")
    return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        .filter { $0.hasSuffix(".msg") && !$0.hasPrefix("bad-") }
        .map { file in
            var bytes = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
            let nl = bytes.firstIndex(of: 10) ?? 0
            let topic = String(decoding: bytes[..<nl], as: UTF8.self)
            bytes = Array(bytes[(nl + 1)...])
            if bytes.last == 10 { bytes.removeLast() }
            return Shape(name: String(file.dropLast(4)), topic: topic, payload: bytes)
        }
}

/// Nanoseconds per call of `body` over `count` calls, median and p90 over `rounds` rounds.
func measure(rounds: Int, count: Int, _ body: () -> Void) -> (median: Double, p90: Double) {
    for _ in 0..<max(1, count / 4) { body() }
    var perCall: [Double] = []
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<count { body() }
        perCall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(count))
    }
    perCall.sort()
    return (perCall[perCall.count / 2], perCall[min(perCall.count - 1, perCall.count * 9 / 10)])
}

@inline(never)
func scanBytes(_ payload: [UInt8]) -> Int {
    var quotes = 0
    for b in payload where b == UInt8(ascii: "\"") { quotes &+= 1 }
    return quotes
}

var rounds = 41
var markdown = false
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--rounds": rounds = Int(args.next() ?? "") ?? rounds
    case "--markdown": markdown = true
    default:
        FileHandle.standardError.write(Data("usage: anxin-bench [--rounds N] [--markdown]\n".utf8))
        exit(2)
    }
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let profiles = try ProfileSet.load(
    folders: [root.appendingPathComponent("DeviceProfiles").path], defaultUTCOffsetSeconds: 8 * 3600)
let shapes = try loadShapes(root: root)
var sink = 0
struct Row {
    var name: String
    var observations: Int
    var decode: Double
    var judge: Double
    var full: Double
    var fullP90: Double
    var scan: Double
    var json: Double?
}
var rows: [Row] = []
for shape in shapes {
    var n = 0
    let engine = RuleEngine(rules: .shipped, utcOffsetSeconds: 8 * 3600) {
        n += 1
        return "A\(n)"
    }
    let context = SubjectContext(residentID: "R-0001")
    var output = DecodeOutput()
    var decisions: [Decision] = []
    decisions.reserveCapacity(64)
    var clock: EpochMillis = 1_795_306_572_000
    var observations = 0
    if profiles.decode(topic: shape.topic, payload: shape.payload, receivedAt: clock, into: &output) == nil {
        observations = output.observations.count
    }
    let count = 2_000
    /// Decodes the shape and judges its observations at fresh measured times; false when it did not decode.
    func decodeAndJudge() -> Bool {
        guard profiles.decode(topic: shape.topic, payload: shape.payload, receivedAt: clock, into: &output) == nil
        else { return false }
        for (i, o) in output.observations.enumerated() {
            switch o {
            case .reading(var r):
                r.measuredAt = clock + EpochMillis(i)
                engine.observe(.reading(r), context: context, into: &decisions)
            case .event(var e):
                e.measuredAt = clock + EpochMillis(i)
                engine.observe(.event(e), context: context, into: &decisions)
            }
        }
        if decisions.count > 32 { decisions.removeAll(keepingCapacity: true) }
        return true
    }
    // The pipeline's saving: what matters at once, progress once it has waited 10 s; one message a
    // second of monotonic time, so a subject's progress is encoded every tenth message.
    var monotonic: EpochMillis = 0
    let judged = measure(rounds: rounds, count: count) {
        clock += 1000
        monotonic += 1000
        if decodeAndJudge() { _ = engine.drainChangedState(monotonicNow: monotonic, lazyWithin: 10_000) }
    }
    let decodeOnly = measure(rounds: rounds, count: count) {
        clock += 1000
        if profiles.decode(topic: shape.topic, payload: shape.payload, receivedAt: clock, into: &output) == nil {
            sink &+= output.observations.count
        }
    }
    let noExport = measure(rounds: rounds, count: count) {
        clock += 1000
        _ = decodeAndJudge()
    }
    _ = engine.drainChangedState()
    let scan = measure(rounds: rounds, count: count) { sink &+= scanBytes(shape.payload) }
    var json: Double?
    if shape.payload.first == UInt8(ascii: "{") {
        let data = Data(shape.payload)
        json =
            measure(rounds: rounds, count: count) {
                if let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { sink &+= o.count }
            }.median
    }
    rows.append(
        Row(
            name: shape.name, observations: observations, decode: decodeOnly.median, judge: noExport.median,
            full: judged.median, fullP90: judged.p90, scan: scan.median, json: json))
}

let target = 5_000.0
func ns(_ v: Double?) -> String { v.map { String(Int($0)) } ?? "–" }
if markdown {
    print(
        "| shape | obs | decode ns | + judge ns | + state export ns (p90) | byte scan ns | JSONSerialization ns | decode + judge ≤ 5 µs |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
}
for r in rows {
    let verdict = r.judge <= target ? "pass" : "miss"
    if markdown {
        print(
            "| \(r.name) | \(r.observations) | \(ns(r.decode)) | \(ns(r.judge)) | \(ns(r.full)) (\(ns(r.fullP90))) | "
                + "\(ns(r.scan)) | \(ns(r.json)) | \(verdict) |")
    } else {
        print(
            "\(r.name): obs=\(r.observations) decode=\(ns(r.decode)) judge=\(ns(r.judge)) export=\(ns(r.full)) "
                + "p90=\(ns(r.fullP90)) scan=\(ns(r.scan)) jsonserialization=\(ns(r.json)) \(verdict)")
    }
}
if sink == 42 { print("") }
