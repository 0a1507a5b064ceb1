import Crypto
import Foundation

/// Ed25519 signing keys for watchlist signers, in text files: the private key readable by its
/// owner only (0600, refused otherwise), the public key printable for enrolment in edge configs.
public enum SigningKeyFile {
    static let privateHeader = "watchpost-ed25519-signing-key"
    static let publicHeader = "watchpost-ed25519-public-key"

    /// Creates a new key pair at `path` (0600) and `path.pub`; refuses to overwrite either.
    @discardableResult
    public static func create(at path: String) throws -> Curve25519.Signing.PrivateKey {
        let key = Curve25519.Signing.PrivateKey()
        try writeExclusive(path, "\(privateHeader)\n\(key.rawRepresentation.base64EncodedString())\n", mode: 0o600)
        try writeExclusive(path + ".pub", "\(publicHeader)\n\(publicKeyText(key.publicKey))\n", mode: 0o644)
        return key
    }

    /// Reads a private key, refusing a file that group or others can read or write.
    public static func loadPrivate(path: String) throws -> Curve25519.Signing.PrivateKey {
        var info = stat()
        guard stat(path, &info) == 0 else { throw KeyFileError(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))") }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw KeyFileError(path: path, reason: "has permissions \(String(mode, radix: 8)); a private key must be 600: run chmod 600 \(path)")
        }
        let body = try body(of: path, header: privateHeader)
        guard let raw = Data(base64Encoded: body), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw KeyFileError(path: path, reason: "does not hold an Ed25519 private key")
        }
        return key
    }

    /// Reads a public key file, or a public key given as its base64 text.
    public static func loadPublic(pathOrText: String) throws -> [UInt8] {
        let text = FileManager.default.fileExists(atPath: pathOrText) ? try body(of: pathOrText, header: publicHeader) : pathOrText
        guard let raw = Data(base64Encoded: text), raw.count == 32 else {
            throw KeyFileError(path: pathOrText, reason: "is neither a public key file nor a base64 Ed25519 public key")
        }
        return Array(raw)
    }

    public static func publicKeyText(_ key: Curve25519.Signing.PublicKey) -> String {
        key.rawRepresentation.base64EncodedString()
    }

    private static func body(of path: String, header: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyFileError(path: path, reason: "cannot be read")
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count == 2, lines[0] == header else { throw KeyFileError(path: path, reason: "is not a \(header) file") }
        return lines[1]
    }

    private static func writeExclusive(_ path: String, _ text: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else {
            throw KeyFileError(path: path, reason: errno == EEXIST ? "already exists: keys are never overwritten" : String(cString: strerror(errno)))
        }
        defer { close(fd) }
        fchmod(fd, mode)
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw KeyFileError(path: path, reason: "could not be written") }
    }
}

/// A key file that cannot be used; never includes key material.
public struct KeyFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "key \(path) \(reason)" }
}
