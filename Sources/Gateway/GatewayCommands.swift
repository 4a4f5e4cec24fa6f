import AnxinCore
import Foundation
import Profiles
import Registry

/// `anxin check`: every problem of the configuration and the files it names, no network.
public enum GatewayCheck {
    public static func problems(config: GatewayConfig) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if case .failure(let e) = RuntimeSet.load(config: config, cacheDirectory: nil) { problems += e.problems }
        let src = config.sourcePath ?? "<defaults>"
        var files = [
            ("mqtt.password_file", config.mqtt.passwordFile), ("hotline.secret_file", config.hotline.secretFile),
        ]
        for (name, ch) in config.notify.channels.sorted(by: { $0.key < $1.key }) {
            files.append(("notify.channels.\(name).url_file", ch.urlFile))
            files.append(("notify.channels.\(name).secret_file", ch.secretFile))
        }
        for (what, file) in files {
            guard let file else { continue }
            if !FileManager.default.isReadableFile(atPath: file) {
                problems.append(ConfigProblem(path: src, line: 0, message: "\(what): \(file) is not readable"))
            }
        }
        if let tls = config.mqtt.tls {
            for (what, file) in [("ca_file", tls.caFile), ("cert_file", tls.certFile), ("key_file", tls.keyFile)] {
                guard let file else { continue }
                if !FileManager.default.isReadableFile(atPath: file) {
                    problems.append(
                        ConfigProblem(path: src, line: 0, message: "mqtt.tls.\(what): \(file) is not readable"))
                }
            }
        }
        return problems
    }
}

/// `anxin decode`: one payload through the profiles.
public enum GatewayDecode {
    public static func run(config: GatewayConfig, topic: String, payload: [UInt8]) -> Result<
        ([String], [String]), DecodeFailureText
    > {
        let profiles: ProfileSet
        do {
            profiles = try RuntimeSet.loadProfiles(config: config)
        } catch {
            return .failure(DecodeFailureText(error.diagnostics.map(\.description).joined(separator: "\n")))
        }
        if payload.count > config.mqtt.maxPayload {
            return .failure(
                DecodeFailureText("rejected (too_large): payload of \(payload.count) bytes exceeds max_payload"))
        }
        var out = DecodeOutput()
        let now = SystemWallClock().now()
        if let f = profiles.decode(topic: topic, payload: payload, receivedAt: now, into: &out) {
            return .failure(DecodeFailureText("rejected (\(f.reason.rawValue)): \(f.message)"))
        }
        return .success((out.observations.map { $0.decodeLine(profile: out.profile) }, out.sentinels))
    }
}

/// A one-line reason, printed on stderr by `anxin decode`.
public struct DecodeFailureText: Error, CustomStringConvertible {
    public var description: String
    init(_ s: String) { description = s }
}

/// `anxin registry import`.
public enum GatewayRegistryImport {
    public static func run(csvPath: String) -> Result<String, ConfigError> {
        do {
            let snapshot = try RegistryLoader.importCSV(path: csvPath)
            return .success(RegistryLoader.renderYAML(snapshot))
        } catch {
            return .failure(ConfigError(error.diagnostics))
        }
    }
}
