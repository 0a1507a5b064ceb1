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
        try KeyFileIO.writeNew(path, "\(privateHeader)\n\(key.rawRepresentation.base64EncodedString())\n", mode: 0o600)
        try KeyFileIO.writeNew(path + ".pub", "\(publicHeader)\n\(publicKeyText(key.publicKey))\n", mode: 0o644)
        return key
    }

    /// Reads a private key, refusing a file that group or others can read or write.
    public static func loadPrivate(path: String) throws -> Curve25519.Signing.PrivateKey {
        try KeyFileIO.requireOwnerOnly(path)
        let body = try KeyFileIO.lines(of: path, header: privateHeader, count: 1)[0]
        guard let raw = Data(base64Encoded: body), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else {
            throw KeyFileError(path: path, reason: "does not hold an Ed25519 private key")
        }
        return key
    }

    /// Reads a public key file, or a public key given as its base64 text.
    public static func loadPublic(pathOrText: String) throws -> [UInt8] {
        let text =
            FileManager.default.fileExists(atPath: pathOrText)
            ? try KeyFileIO.lines(of: pathOrText, header: publicHeader, count: 1)[0] : pathOrText
        guard let raw = Data(base64Encoded: text), raw.count == 32 else {
            throw KeyFileError(path: pathOrText, reason: "is neither a public key file nor a base64 Ed25519 public key")
        }
        return Array(raw)
    }

    public static func publicKeyText(_ key: Curve25519.Signing.PublicKey) -> String {
        key.rawRepresentation.base64EncodedString()
    }
}

/// A key file that cannot be used; never includes key material.
public struct KeyFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "key \(path) \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
