import Crypto
import Foundation
import Store

/// `anxin backup` and `anxin restore`: an encrypted, consistent copy of the database.
///
/// The backup is taken with SQLite's online backup API while the daemon runs, then sealed with
/// AES-256-GCM. File layout: `ANXINBK1` (8 bytes, also the authenticated data), the 12-byte nonce,
/// the ciphertext, the 16-byte tag. The key file holds 32 raw bytes or 64 hexadecimal characters.
/// Backup and restored database are written with mode 0600 and appear only complete (written
/// beside their target, then renamed). The whole database passes through memory once.
public enum GatewayBackup {
    /// The first eight bytes of every backup file.
    public static let magic: [UInt8] = Array("ANXINBK1".utf8)
    static let nonceBytes = 12
    static let tagBytes = 16

    /// Writes an encrypted backup of `config.databasePath` to `output` (replacing an older file).
    public static func backup(config: GatewayConfig, to output: String, keyFile: String) throws(GatewayBackupError) {
        let key = try readKey(keyFile)
        let database = config.databasePath
        guard FileManager.default.fileExists(atPath: database) else { throw .databaseMissing(path: database) }
        let folder = try privateScratchFolder(beside: output)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/copy.db"
        do throws(SQLiteError) {
            let store = try Store(path: database)
            defer { store.close() }
            try store.backup(toFile: copy)
        } catch {
            throw .store(.init(code: error.code, message: error.message))
        }
        guard let plain = FileManager.default.contents(atPath: copy) else {
            throw .file(operation: "read backup copy", path: copy, reason: "unreadable")
        }
        let sealed: AES.GCM.SealedBox
        do {
            sealed = try AES.GCM.seal(plain, using: key, nonce: AES.GCM.Nonce(), authenticating: magic)
        } catch {
            throw .file(operation: "encrypt backup", path: output, reason: "\(error)")
        }
        var out = magic
        out += sealed.nonce.withUnsafeBytes { Array($0) }
        out += sealed.ciphertext
        out += sealed.tag
        try writePrivately(out, to: output)
    }

    /// Decrypts `input`, checks the database it holds, and installs it at `database` (mode 0600).
    ///
    /// Stop the daemon first: with `force` the existing database and its WAL are replaced.
    /// - Throws: `destinationExists` when `database` exists and `force` is false, before any
    ///   decryption; `cannotDecrypt` for a wrong key or an altered file; `integrityFailed`.
    public static func restore(from input: String, keyFile: String, to database: String, force: Bool = false)
        throws(GatewayBackupError)
    {
        let key = try readKey(keyFile)
        if !force && FileManager.default.fileExists(atPath: database) { throw .destinationExists(path: database) }
        guard let data = FileManager.default.contents(atPath: input) else {
            throw .file(operation: "read backup", path: input, reason: "missing or unreadable")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count + nonceBytes + tagBytes, Array(bytes.prefix(magic.count)) == magic else {
            throw .notABackup(path: input)
        }
        let nonceEnd = magic.count + nonceBytes
        let plain: Data
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: bytes[magic.count..<nonceEnd]),
                ciphertext: bytes[nonceEnd..<(bytes.count - tagBytes)], tag: bytes[(bytes.count - tagBytes)...])
            plain = try AES.GCM.open(box, using: key, authenticating: magic)
        } catch {
            throw .cannotDecrypt(path: input)
        }
        let folder = try privateScratchFolder(beside: database)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let candidate = folder + "/restore.db"
        try writePrivately([UInt8](plain), to: candidate)
        let report: String
        do throws(SQLiteError) {
            report = try Store.integrityCheck(path: candidate)
        } catch {
            throw .integrityFailed(path: database, report: error.description)
        }
        guard report == "ok" else { throw .integrityFailed(path: database, report: report) }
        // A WAL or journal left by the replaced database would be replayed onto the restored one.
        for suffix in ["-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        guard rename(candidate, database) == 0 else {
            throw .file(operation: "install restored database", path: database, reason: errnoText())
        }
    }

    /// Reads a 256-bit key: exactly 32 bytes, or 64 hexadecimal characters (surrounding
    /// whitespace ignored).
    public static func readKey(_ path: String) throws(GatewayBackupError) -> SymmetricKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .badKeyFile(path: path, reason: "missing or unreadable")
        }
        if data.count == 32 { return SymmetricKey(data: data) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let digits = Array(text.utf8)
        guard digits.count == 64 else {
            throw .badKeyFile(path: path, reason: "expected 32 raw bytes or 64 hex characters")
        }
        var key: [UInt8] = []
        key.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let hi = hexValue(digits[i]), let lo = hexValue(digits[i + 1]) else {
                throw .badKeyFile(path: path, reason: "expected 32 raw bytes or 64 hex characters")
            }
            key.append(hi << 4 | lo)
        }
        return SymmetricKey(data: key)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A new folder (mode 0700) in the folder of `path`, for plaintext that must not be seen.
    private static func privateScratchFolder(beside path: String) throws(GatewayBackupError) -> String {
        var parent = (path as NSString).deletingLastPathComponent
        if parent.isEmpty { parent = "." }
        do {
            try FileManager.default.createDirectory(
                atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .file(operation: "create folder", path: parent, reason: "\(error.localizedDescription)")
        }
        let folder = parent + "/.anxin-scratch-" + UUID().uuidString
        guard mkdir(folder, 0o700) == 0 else {
            throw .file(operation: "create folder", path: folder, reason: errnoText())
        }
        return folder
    }

    /// Writes `bytes` beside `path` with mode 0600, syncs, then renames over `path`.
    private static func writePrivately(_ bytes: [UInt8], to path: String) throws(GatewayBackupError) {
        let temporary = path + ".part-" + UUID().uuidString
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .file(operation: "create", path: temporary, reason: errnoText()) }
        var failure: String?
        if fchmod(fd, 0o600) != 0 { failure = errnoText() }
        var written = 0
        while failure == nil && written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = errnoText()
            } else {
                written += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = errnoText() }
        _ = close(fd)
        if failure == nil && rename(temporary, path) != 0 { failure = errnoText() }
        if let failure {
            unlink(temporary)
            throw .file(operation: "write", path: path, reason: failure)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
