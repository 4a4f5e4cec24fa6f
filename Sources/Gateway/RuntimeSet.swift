import AnxinCore
import Profiles
import Registry
import Rules

/// The files the pipeline runs on, parsed and validated together so a reload swaps all or nothing.
public struct RuntimeSet: Sendable {
    public var profiles: ProfileSet
    public var rules: RuleSet
    public var registry: RegistrySnapshot

    public init(profiles: ProfileSet, rules: RuleSet, registry: RegistrySnapshot) {
        self.profiles = profiles
        self.rules = rules
        self.registry = registry
    }

    /// Loads profiles, rules and registry named by the configuration; every problem is collected.
    /// The daemon (`cacheInBackground`) writes a freshly parsed registry's cache in the background, and
    /// a reload of an unchanged registry keeps the snapshot in use.
    public static func load(
        config: GatewayConfig, cacheDirectory: String?, cacheInBackground: Bool = false
    ) -> Result<RuntimeSet, ConfigError> {
        var problems: [ConfigProblem] = []
        var profiles: ProfileSet?
        do {
            profiles = try loadProfiles(config: config)
        } catch {
            problems += error.diagnostics
        }
        var rules: RuleSet?
        do {
            if let path = config.rules {
                rules = try RuleSet.load(path: path)
            } else {
                rules = RuleSet.shipped
            }
        } catch {
            problems += error.diagnostics
        }
        var registry = RegistrySnapshot.empty
        if let path = config.registry {
            do {
                registry = try RegistryLoader.load(
                    path: path, cacheDirectory: cacheDirectory, writeCacheInBackground: cacheInBackground,
                    reuseLastLoaded: cacheInBackground
                ).0
            } catch {
                problems += error.diagnostics
            }
        }
        if let rules {
            // Escalation steps may only name groups the gateway can reach.
            for t in rules.notifyTargets
            where !EscalationStep.builtInTargets.contains(t) && config.notify.groups[t] == nil {
                problems.append(
                    ConfigProblem(
                        path: config.rules ?? "<shipped rules>", line: rules.line(ofTarget: t) ?? 0,
                        message: "escalation target '\(t)' is not a group under notify.groups in the config"))
            }
            for (i, id) in registry.residents.ids.enumerated() {
                for p in rules.validate(thresholds: registry.residents.thresholds(at: i)) {
                    problems.append(
                        ConfigProblem(path: config.registry ?? "<registry>", line: 0, message: "resident \(id): \(p)"))
                }
            }
        }
        guard problems.isEmpty, let profiles, let rules else { return .failure(ConfigError(problems)) }
        return .success(RuntimeSet(profiles: profiles, rules: rules, registry: registry))
    }

    /// The configured profile folders, or the profiles built into the binary when none are named.
    public static func loadProfiles(config: GatewayConfig) throws(ProfileLoadError) -> ProfileSet {
        config.profiles.isEmpty
            ? try ProfileSet.load(sources: EmbeddedDefaults.profiles, defaultUTCOffsetSeconds: config.utcOffsetSeconds)
            : try ProfileSet.load(folders: config.profiles, defaultUTCOffsetSeconds: config.utcOffsetSeconds)
    }
}
