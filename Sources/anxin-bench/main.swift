// anxin-bench: decode + rule evaluation per message, for every device shape (issue 5, in-process).
//
// For each message shape in Tests/Fixtures/devices (the shapes of ../shared/devices) it decodes the
// payload with the shipped profiles and judges every observation with the shipped rules, as the
// pipeline does, many times; the measured time of each sample gets a fresh timestamp so every rule
// really runs. Rounds of all shapes are interleaved. Reported: median and p90 ns per message over rounds, against two references measured
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

/// One measurement: `body` is run `count` times per round; rounds of every measurement of every shape
/// are interleaved (round 1 of all, then round 2 of all …), so a burst of noise on this shared machine
/// spreads over all of them instead of spoiling one shape's median.
final class Measurement {
    let count: Int
    let body: () -> Void
    var perCall: [Double] = []

    init(count: Int, _ body: @escaping () -> Void) {
        self.count = count
        self.body = body
    }

    func warmUp() { for _ in 0..<max(1, count / 4) { body() } }

    func round() {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<count { body() }
        perCall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(count))
    }

    /// Nanoseconds per call, median and p90 over the rounds.
    var result: (median: Double, p90: Double) {
        let sorted = perCall.sorted()
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 9 / 10)])
    }
}

@inline(never)
func scanBytes(_ payload: [UInt8]) -> Int {
    var quotes = 0
    for b in payload where b == UInt8(ascii: "\"") { quotes &+= 1 }
    return quotes
}

/// Gives a message's observations fresh measured times (`from`, `from + 1` ms, …), in place: each is moved
/// out, changed and moved back, so no string is copied (a plain write back cost twice the pipeline's own
/// copy of each observation).
@inline(never)
func restamp(_ observations: inout [Observation], from clock: EpochMillis) {
    observations.withUnsafeMutableBufferPointer { buf in
        guard let base = buf.baseAddress else { return }
        for i in buf.indices {
            let o = (base + i).move()
            switch consume o {
            case .reading(var r):
                r.measuredAt = clock + EpochMillis(i)
                (base + i).initialize(to: .reading(r))
            case .event(var e):
                e.measuredAt = clock + EpochMillis(i)
                (base + i).initialize(to: .event(e))
            }
        }
    }
}

var rounds = 41
var markdown = false
var only: String?
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--rounds": rounds = Int(args.next() ?? "") ?? rounds
    case "--markdown": markdown = true
    case "--only": only = args.next()
    default:
        FileHandle.standardError.write(Data("usage: anxin-bench [--rounds N] [--markdown] [--only SHAPE]\n".utf8))
        exit(2)
    }
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let profiles = try ProfileSet.load(
    folders: [root.appendingPathComponent("DeviceProfiles").path], defaultUTCOffsetSeconds: 8 * 3600)
let shapes = try loadShapes(root: root).filter { only == nil || $0.name == only }
var sink = 0
struct ShapeRun {
    var name: String
    var observations: Int
    var judged: Measurement
    var decodeOnly: Measurement
    var noExport: Measurement
    var scan: Measurement
    var json: Measurement?
}
var runs: [ShapeRun] = []
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
        restamp(&output.observations, from: clock)
        // As the pipeline does: the message's observations of one device in one call.
        engine.observe(output.observations[...], context: context, into: &decisions)
        if decisions.count > 32 { decisions.removeAll(keepingCapacity: true) }
        return true
    }
    // The pipeline's saving: what matters at once, progress once it has waited 10 s; one message a
    // second of monotonic time, so a subject's progress is encoded every tenth message.
    var monotonic: EpochMillis = 0
    let judged = Measurement(count: count) {
        clock += 1000
        monotonic += 1000
        if decodeAndJudge() { _ = engine.drainChangedState(monotonicNow: monotonic, lazyWithin: 10_000) }
    }
    let decodeOnly = Measurement(count: count) {
        clock += 1000
        if profiles.decode(topic: shape.topic, payload: shape.payload, receivedAt: clock, into: &output) == nil {
            sink &+= output.observations.count
        }
    }
    let noExport = Measurement(count: count) {
        clock += 1000
        _ = decodeAndJudge()
    }
    let payload = shape.payload
    let scan = Measurement(count: count) { sink &+= scanBytes(payload) }
    var json: Measurement?
    if payload.first == UInt8(ascii: "{") {
        let data = Data(payload)
        json = Measurement(count: count) {
            if let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { sink &+= o.count }
        }
    }
    runs.append(
        ShapeRun(
            name: shape.name, observations: observations, judged: judged, decodeOnly: decodeOnly,
            noExport: noExport, scan: scan, json: json))
}
let all = runs.flatMap { [$0.judged, $0.decodeOnly, $0.noExport, $0.scan] + ($0.json.map { [$0] } ?? []) }
for m in all { m.warmUp() }
for _ in 0..<rounds { for m in all { m.round() } }
let target = 5_000.0
func ns(_ v: Double?) -> String { v.map { String(Int($0)) } ?? "–" }
if markdown {
    print(
        "| shape | obs | decode ns | + judge ns | + state export ns (p90) | byte scan ns | JSONSerialization ns | decode + judge ≤ 5 µs |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
}
for r in runs {
    let (decode, judge, full, scan) = (r.decodeOnly.result, r.noExport.result, r.judged.result, r.scan.result)
    let json = r.json?.result.median
    let verdict = judge.median <= target ? "pass" : "miss"
    if markdown {
        print(
            "| \(r.name) | \(r.observations) | \(ns(decode.median)) | \(ns(judge.median)) | \(ns(full.median)) "
                + "(\(ns(full.p90))) | \(ns(scan.median)) | \(ns(json)) | \(verdict) |")
    } else {
        print(
            "\(r.name): obs=\(r.observations) decode=\(ns(decode.median)) judge=\(ns(judge.median)) "
                + "export=\(ns(full.median)) p90=\(ns(full.p90)) scan=\(ns(scan.median)) "
                + "jsonserialization=\(ns(json)) \(verdict)")
    }
}
if sink == 42 { print("") }
