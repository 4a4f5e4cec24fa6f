import AnxinCore
import Foundation

/// The device profiles in force: which topics to subscribe to and how to turn each
/// message into readings and events. Immutable and shareable; a reload builds a new set.
public final class ProfileSet: Sendable {
    let profiles: [CompiledProfile]

    /// Profile ids, in load order.
    public let profileIDs: [String]
    /// Every MQTT topic filter to subscribe to (deduplicated, in load order).
    public let topicFilters: [String]

    init(profiles: [CompiledProfile]) {
        self.profiles = profiles
        profileIDs = profiles.map(\.id)
        var seen: Set<String> = []
        topicFilters = profiles.flatMap { $0.filters.map(\.text) }.filter { seen.insert($0).inserted }
    }

    /// Loads every `*.yaml` / `*.yml` in each folder (sorted by name). All problems are
    /// reported at once as `path:line: message`.
    public static func load(folders: [String], defaultUTCOffsetSeconds: Int) throws(ProfileLoadError) -> ProfileSet {
        var items: [SourceItem] = []
        for folder in folders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
                items.append(.problem(.init(path: folder, line: 1, message: "cannot read profile folder")))
                continue
            }
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
                guard let data = FileManager.default.contents(atPath: path) else {
                    items.append(.problem(.init(path: path, line: 1, message: "cannot read profile file")))
                    continue
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    items.append(.problem(.init(path: path, line: 1, message: "profile file is not UTF-8 text")))
                    continue
                }
                items.append(.text(path: path, text: text))
            }
        }
        return try build(items, defaultUTCOffsetSeconds: defaultUTCOffsetSeconds)
    }

    /// Loads profiles from text (the profiles embedded in the binary, or tests).
    /// `defaultUTCOffsetSeconds` is the gateway's zone, used by local-time patterns of
    /// profiles that give no `zone`.
    public static func load(
        sources: [(path: String, text: String)], defaultUTCOffsetSeconds: Int
    ) throws(ProfileLoadError) -> ProfileSet {
        try build(sources.map { .text(path: $0.path, text: $0.text) }, defaultUTCOffsetSeconds: defaultUTCOffsetSeconds)
    }

    private enum SourceItem {
        case text(path: String, text: String)
        case problem(ProfileDiagnostic)
    }

    private static func build(
        _ items: [SourceItem], defaultUTCOffsetSeconds: Int
    ) throws(ProfileLoadError) -> ProfileSet {
        var diagnostics: [ProfileDiagnostic] = []
        var profiles: [CompiledProfile] = []
        var firstSeen: [String: (path: String, line: Int)] = [:]
        for item in items {
            guard case .text(let path, let text) = item else {
                if case .problem(let d) = item { diagnostics.append(d) }
                continue
            }
            let compiler = ProfileCompiler(path: path, defaultUTCOffsetSeconds: defaultUTCOffsetSeconds)
            let result = compiler.compile(yaml: text)
            diagnostics += compiler.diagnostics
            guard let (profile, line) = result else { continue }
            if let first = firstSeen[profile.id] {
                diagnostics.append(
                    .init(
                        path: path, line: line,
                        message: "duplicate profile id '\(profile.id)' (also in \(first.path):\(first.line))"))
                continue
            }
            firstSeen[profile.id] = (path, line)
            profiles.append(profile)
        }
        guard diagnostics.isEmpty else { throw ProfileLoadError(diagnostics: diagnostics) }
        return ProfileSet(profiles: profiles)
    }

    /// Decodes one MQTT message. Returns nil on success, with `output` holding the profile
    /// id, the observations and the dropped sentinels; otherwise the reason to count, with
    /// `output` empty of observations. `output` is reset by the call; reuse it.
    public func decode(
        topic: String, payload: UnsafeRawBufferPointer, receivedAt: EpochMillis, into output: inout DecodeOutput
    ) -> DecodeFailure? {
        var topicText = topic
        return topicText.withUTF8 { t in
            decode(topicBytes: UnsafeRawBufferPointer(t), payload: payload, receivedAt: receivedAt, into: &output)
        }
    }

    /// Decodes one MQTT message held in an array. See the buffer variant.
    public func decode(
        topic: String, payload: [UInt8], receivedAt: EpochMillis, into output: inout DecodeOutput
    ) -> DecodeFailure? {
        payload.withUnsafeBytes { decode(topic: topic, payload: $0, receivedAt: receivedAt, into: &output) }
    }

    /// Decodes one MQTT message whose topic is given as its UTF-8 bytes (the pipeline's, straight from
    /// the ingest's buffer). See the first variant.
    public func decode(
        topicBytes: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: EpochMillis,
        into output: inout DecodeOutput
    ) -> DecodeFailure? {
        output.reset()
        return decode(topic: topicBytes, payload: payload, receivedAt: receivedAt, into: &output)
    }

    private func decode(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: EpochMillis,
        into output: inout DecodeOutput
    ) -> DecodeFailure? {
        var scratch = DecodeScratch()
        swap(&scratch, &output.scratch)
        defer { swap(&scratch, &output.scratch) }
        var tookTopic: String?
        for profile in profiles where profile.takes(topic) {
            switch profile.decode(
                topic: topic, payload: payload, receivedAt: receivedAt, scratch: &scratch, output: &output)
            {
            case .decoded:
                return nil
            case .failed(let failure):
                return failure
            case .noMessage:
                tookTopic = tookTopic ?? profile.id
            }
        }
        if let tookTopic {
            output.profile = tookTopic
            return DecodeFailure(reason: .noProfile, message: "\(tookTopic): no message type of the profile fits")
        }
        return DecodeFailure(reason: .noProfile, message: "no profile takes the topic")
    }
}
