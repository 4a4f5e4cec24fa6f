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
