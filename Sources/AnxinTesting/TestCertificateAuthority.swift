import Foundation

/// A throwaway certificate authority for TLS tests, made with the `openssl` command (Debian package `openssl`).
///
/// Keys are P-256, unencrypted, valid for two days, and live in the folder given at creation.
public struct TestCertificateAuthority: Sendable {
    /// A certificate and its private key (PEM files).
    public struct Identity: Sendable, Equatable {
        public let certificateFile: URL
        public let keyFile: URL
    }

    /// What a certificate may be used for.
    public enum Purpose: Sendable {
        /// A TLS server; the subject alternative name carries `host` as an IP address or a DNS name.
        case server(host: String)
        /// A TLS client (an MQTT device, bridge or the gateway).
        case client
    }

    /// The CA's own certificate and key.
    public let root: Identity
    private let directory: URL

    /// Creates a self-signed CA named `name` in `directory`.
    public init(name: String, in directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stem = Self.fileStem(name)
        root = Identity(
            certificateFile: directory.appendingPathComponent("\(stem).crt"),
            keyFile: directory.appendingPathComponent("\(stem).key"))
        try Self.openssl(
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", root.keyFile.path, "-out", root.certificateFile.path, "-days", "2",
                "-subj", "/CN=\(name)", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
    }

    /// Issues a certificate with common name `commonName`, signed by this CA.
    public func issue(commonName: String, for purpose: Purpose) throws -> Identity {
        let stem = Self.fileStem(commonName)
        let identity = Identity(
            certificateFile: directory.appendingPathComponent("\(stem).crt"),
            keyFile: directory.appendingPathComponent("\(stem).key"))
        let request = directory.appendingPathComponent("\(stem).csr")
        let extensions = directory.appendingPathComponent("\(stem).ext")
        var lines = ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment"]
        switch purpose {
        case .server(let host):
            let isAddress = host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
            lines += ["extendedKeyUsage=serverAuth", "subjectAltName=\(isAddress ? "IP" : "DNS"):\(host)"]
        case .client:
            lines.append("extendedKeyUsage=clientAuth")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: extensions, atomically: true, encoding: .utf8)
        try Self.openssl(
            [
                "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", identity.keyFile.path, "-out", request.path, "-subj", "/CN=\(commonName)",
            ])
        try Self.openssl(
            [
                "x509", "-req", "-in", request.path, "-CA", root.certificateFile.path, "-CAkey", root.keyFile.path,
                "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "2",
                "-out", identity.certificateFile.path, "-extfile", extensions.path,
            ])
        return identity
    }

    private static func openssl(_ arguments: [String]) throws {
        let folders = ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        guard let folder = folders.first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/openssl") })
        else {
            throw TestBroker.Failure(description: "openssl not found; install the openssl package")
        }
        try TestBroker.run(URL(fileURLWithPath: "\(folder)/openssl"), arguments)
    }

    /// A file name for a certificate subject: letters, digits, '-' and '.', the rest as '_'.
    private static func fileStem(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") ? $0 : "_" })
    }
}
