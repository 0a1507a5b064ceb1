import Foundation
import Shared

/// CURVE key pairs of edge nodes and the coordinator, in text files: the pair in a 0600 file
/// (refused otherwise), the public key alone in FILE.pub for enrolment on the other side.
public enum CurveKeyFile {
    static let header = "watchpost-curve-key-pair"
    static let publicHeader = "watchpost-curve-public-key"

    /// Creates a new key pair at `path` (0600) and `path.pub`; refuses to overwrite either.
    @discardableResult
    public static func create(at path: String) throws -> CurveKeyPair {
        let keys = try CurveKeyPair.generate()
        try KeyFileIO.writeNew(path, "\(header)\n\(keys.publicKey)\n\(keys.secretKey)\n", mode: 0o600)
        try KeyFileIO.writeNew(path + ".pub", "\(publicHeader)\n\(keys.publicKey)\n", mode: 0o644)
        return keys
    }

    public static func load(path: String) throws -> CurveKeyPair {
        try KeyFileIO.requireOwnerOnly(path)
        let lines = try KeyFileIO.lines(of: path, header: header, count: 2)
        guard let keys = try? CurveKeyPair(publicKey: lines[0], secretKey: lines[1]) else {
            throw KeyFileError(path: path, reason: "does not hold a Z85 CURVE key pair")
        }
        return keys
    }

    /// A public key from a .pub file, or given as its Z85 text.
    public static func loadPublic(pathOrText: String) throws -> String {
        let text =
            FileManager.default.fileExists(atPath: pathOrText)
            ? try KeyFileIO.lines(of: pathOrText, header: publicHeader, count: 1)[0] : pathOrText
        guard CurveKeyPair.isZ85Key(text) else {
            throw KeyFileError(path: pathOrText, reason: "is neither a CURVE public key file nor a Z85 public key")
        }
        return text
    }
}
