import AnxinCore
import ArgumentParser
import Foundation
import Gateway
import Logging

@main
struct Anxin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anxin",
        abstract: "安心 Anxin: the elderly-care device gateway (wristbands and bed sensors in, 12349 incidents out).",
        subcommands: [
            Run.self, Check.self, Decode.self, Simulate.self, RegistryCommand.self, OutboxCommand.self,
            StaffCommand.self, BackupCommand.self, RestoreCommand.self, PurgeCommand.self, ReadingsCommand.self,
        ])

    static func main() async {
        await main(Self.arguments())
    }

    /// The command's arguments. Some LD_PRELOAD shims (libfaketime, used by the clock-step tests)
    /// leave the Swift runtime without argv; the kernel's copy in /proc/self/cmdline still has them.
    static func arguments() -> [String] {
        if !CommandLine.arguments.isEmpty { return Array(CommandLine.arguments.dropFirst()) }
        guard let bytes = FileManager.default.contents(atPath: "/proc/self/cmdline") else { return [] }
        var parts = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        if parts.last == "" { parts.removeLast() }
        return Array(parts.dropFirst())
    }
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML). Without it: embedded defaults.")
    var config: String?

    func load() throws -> GatewayConfig {
        guard let path = config else { return GatewayConfig() }
        do {
            return try GatewayConfig.load(path: path)
        } catch {
            for p in error.problems { FileHandle.standardError.write(Data((p.description + "\n").utf8)) }
            throw ExitCode(1)
        }
    }
}

func bootstrapLogging(level: String?) -> Logger {
    let lvl = Logger.Level(rawValue: level ?? ProcessInfo.processInfo.environment["ANXIN_LOG_LEVEL"] ?? "info") ?? .info
    LoggingSystem.bootstrap { label in
        var h = StreamLogHandler.standardError(label: label)
        h.logLevel = lvl
        return h
    }
    return Logger(label: "anxin")
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway daemon in the foreground.")
    @OptionGroup var options: ConfigOption
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    func run() async throws {
        limitMallocArenas()
        fixMallocMmapThreshold()
        let config = try options.load()
        let logger = bootstrapLogging(level: logLevel)
        let app = GatewayApp(config: config, logger: logger)
        do {
            try await app.run()
        } catch let e as ConfigError {
            for p in e.problems { logger.critical("\(p.description)") }
            throw ExitCode(1)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the configuration and every file it names, without network.")
    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        let problems = GatewayCheck.problems(config: config)
        for p in problems { print(p.description) }
        if !problems.isEmpty { throw ExitCode(1) }
        print("ok: \(config.sourcePath ?? "embedded defaults")")
    }
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one payload through the profiles and print the normalized readings and events as JSON lines.")
    @OptionGroup var options: ConfigOption
    @Option(help: "The MQTT topic the payload arrived on.") var topic: String
    @Argument(help: "Payload file (default: standard input).") var payloadFile: String?

    func run() throws {
        let config = try options.load()
        let payload: [UInt8]
        if let f = payloadFile {
            guard let d = FileManager.default.contents(atPath: f) else {
                FileHandle.standardError.write(Data("cannot read \(f)\n".utf8))
                throw ExitCode(1)
            }
            payload = Array(d)
        } else {
            payload = Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        switch GatewayDecode.run(config: config, topic: topic, payload: payload) {
        case .success(let (lines, sentinels)):
            for l in lines { print(l) }
            for s in sentinels { FileHandle.standardError.write(Data("sentinel dropped: \(s)\n".utf8)) }
        case .failure(let reason):
            FileHandle.standardError.write(Data((reason.description + "\n").utf8))
            throw ExitCode(1)
        }
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish realistic traffic for N residents in the shipped device formats and inject scenarios.")
    @Option var host = "127.0.0.1"
    @Option var port = 1883
    @Option(help: "Number of simulated residents.") var residents = 20
    @Option(help: "Seconds between two reports of one device.") var interval = 10.0
    @Option(help: "Seconds to run (0: until interrupted).") var duration = 0.0
    @Option(help: "Comma-separated scenarios: sos, fall, tachycardia, bp_crisis, spo2_low, bed_exit, silence, wander.")
    var scenarios = ""
    @Option(help: "Seconds after start when the scenarios are injected.") var scenarioDelay = 5.0
    @Option(help: "Write the matching registry YAML to this file and exit.") var writeRegistry: String?
    @Option(help: "Random seed.") var seed: UInt64 = 12349

    func run() throws {
        let sim = Simulator(residents: residents, seed: seed)
        if let path = writeRegistry {
            try sim.registryYAML().write(toFile: path, atomically: true, encoding: .utf8)
            print("wrote \(path) with \(residents) residents")
            return
        }
        var list: [Simulator.Scenario] = []
        for name in scenarios.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty
        {
            guard let s = Simulator.Scenario(rawValue: name) else {
                FileHandle.standardError.write(Data("unknown scenario \(name)\n".utf8))
                throw ExitCode(1)
            }
            list.append(s)
        }
        try sim.run(
            host: host, port: port, interval: interval, duration: duration, scenarios: list,
            scenarioDelay: scenarioDelay)
    }
}

struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "Registry tools.", subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert an institution's CSV export (UTF-8 or GB18030) to registry YAML.")
        @Argument(help: "CSV file.") var file: String
        @Option(help: "Write the YAML here (default: standard output).") var output: String?

        func run() throws {
            switch GatewayRegistryImport.run(csvPath: file) {
            case .success(let yaml):
                if let output {
                    try yaml.write(toFile: output, atomically: true, encoding: .utf8)
                    FileHandle.standardError.write(Data("wrote \(output)\n".utf8))
                } else {
                    print(yaml, terminator: "")
                }
            case .failure(let e):
                for p in e.problems { FileHandle.standardError.write(Data((p.description + "\n").utf8)) }
                throw ExitCode(1)
            }
        }
    }
}

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Hotline outbox: list waiting or rejected incidents, requeue one.",
        subcommands: [List.self, Requeue.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rejected and pending incidents, one per line.")
        @OptionGroup var options: ConfigOption
        func run() throws {
            for line in try GatewayOutbox.list(config: try options.load()) { print(line) }
        }
    }

    struct Requeue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a rejected incident to the hotline again.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Incident id (see `anxin outbox list`).") var id: String
        func run() throws {
            guard try GatewayOutbox.requeue(config: try options.load(), id: id) else {
                FileHandle.standardError.write(Data("no pending or rejected incident \(id)\n".utf8))
                throw ExitCode(1)
            }
            print("requeued \(id)")
        }
    }
}

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Staff accounts for the duty board and the API.",
        subcommands: [Add.self, Passwd.self, Token.self, List.self, Disable.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Username (sign-in name).") var user: String
        @Option(help: "Display name, written into alert histories (e.g. 王芳).") var name: String
        @Option(help: "viewer, oncall or admin.") var role: String
        @Option(help: "File holding the password, or - for standard input. Without it: token-only account.")
        var passwordFile: String?
        func run() async throws {
            try await GatewayStaff.add(
                config: try options.load(), user: user, name: name, role: role, passwordFile: passwordFile)
            print("added \(user) (\(role))")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an account's password.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Username.") var user: String
        @Option(help: "File holding the password, or - for standard input.") var passwordFile = "-"
        func run() async throws {
            try await GatewayStaff.setPassword(config: try options.load(), user: user, passwordFile: passwordFile)
            print("password set for \(user)")
        }
    }

    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue an API bearer token (printed once; only its hash is kept).")
        @OptionGroup var options: ConfigOption
        @Option(help: "Username the token acts as.") var user: String
        @Option(help: "What the token is for (shown in listings).") var label = "api"
        @Option(help: "Days until it expires (default: never).") var days: Int?
        func run() throws {
            print(try GatewayStaff.issueToken(config: try options.load(), user: user, label: label, days: days))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accounts, one per line.")
        @OptionGroup var options: ConfigOption
        func run() throws {
            for line in try GatewayStaff.list(config: try options.load()) { print(line) }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account and its tokens.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Username.") var user: String
        func run() throws {
            try GatewayStaff.disable(config: try options.load(), user: user)
            print("disabled \(user)")
        }
    }
}
