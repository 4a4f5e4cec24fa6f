import AnxinCore
import ArgumentParser
import Foundation
import Gateway

/// Prints a command's failure on standard error and exits 1.
private func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return ExitCode(1)
}

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write an encrypted (AES-256-GCM) copy of the database; safe while the daemon runs.")
    @OptionGroup var options: ConfigOption
    @Option(help: "The backup file to write (mode 0600).") var out: String
    @Option(help: "Key file: 32 raw bytes or 64 hex characters.") var keyFile: String

    func run() throws {
        do {
            try GatewayBackup.backup(config: try options.load(), to: out, keyFile: keyFile)
        } catch let e as GatewayBackupError {
            throw fail(e.description)
        }
        print("wrote \(out)")
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Decrypt a backup, check it, and install it as the database.")
    @Option(name: .customLong("in"), help: "The backup file.") var input: String
    @Option(help: "Key file: 32 raw bytes or 64 hex characters.") var keyFile: String
    @Option(help: "Database file to create.") var to: String
    @Flag(help: "Replace an existing database (stop the daemon first).") var force = false

    func run() throws {
        do throws(GatewayBackupError) {
            try GatewayBackup.restore(from: input, keyFile: keyFile, to: to, force: force)
        } catch {
            throw fail(error.description)
        }
        print("restored \(to)")
    }
}

struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Erase one resident's readings, alert history and delivered message bodies (PIPL request).")
    @OptionGroup var options: ConfigOption
    @Option(help: "Resident id as in the registry.") var resident: String

    func run() throws {
        let outcome: GatewayPurge.Outcome
        do {
            outcome = try GatewayPurge.run(config: try options.load(), residentID: resident)
        } catch let e as ConfigError {
            throw fail(e.description)
        }
        if !outcome.residentKnown {
            FileHandle.standardError.write(
                Data("resident not in the registry: only their alerts were purged, no device readings\n".utf8))
        }
        let c = outcome.counts
        print(
            "purged: readings=\(c.readings) alert_history=\(c.alertHistory) outbox_bodies=\(c.outboxBodies) "
                + "alerts=\(c.alerts) devices=\(outcome.devices.count)")
    }
}

struct ReadingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readings",
        abstract: "Print a device's stored readings as CSV, newest first; safe while the daemon runs.")
    @OptionGroup var options: ConfigOption
    @Option(help: "Device id (IMEI, serial); repeat for several.") var device: [String]
    @Option(help: "Only this kind (heart_rate, spo2, systolic, location, …).") var kind: String?
    @Option(help: "Measured at or after this time: ISO 8601 (2026-11-20T08:00:00+08:00) or epoch ms.")
    var since: String?
    @Option(help: "At most this many readings.") var limit = 1000

    func run() throws {
        guard !device.isEmpty else { throw fail("give at least one --device") }
        var wanted: ReadingKind?
        if let kind {
            guard let k = ReadingKind(name: kind) else {
                throw fail(
                    "unknown kind '\(kind)'; one of: \(ReadingKind.allCases.map(\.name).joined(separator: ", "))")
            }
            wanted = k
        }
        var from: EpochMillis = 0
        if let since {
            guard let t = Timestamp.parseISO8601(since) ?? EpochMillis(since) else {
                throw fail("--since: '\(since)' is neither an ISO 8601 time nor epoch milliseconds")
            }
            from = t
        }
        guard limit > 0 else { throw fail("--limit must be at least 1") }
        let lines: [String]
        do {
            lines = try GatewayReadingsExport.lines(
                config: try options.load(), devices: device, kind: wanted, since: from, limit: limit)
        } catch let e as ConfigError {
            throw fail(e.description)
        } catch {
            throw fail("cannot read the database: \(error)")
        }
        print(GatewayReadingsExport.header)
        for l in lines { print(l) }
    }
}
