import Crypto
import Foundation

/// A signed statement of the audit log's length and head hash, made by the coordinator's own
/// Ed25519 key on a schedule, at each deployment end and on demand, written where an auditor can
/// copy it off the box and sent to the edge nodes, which keep it as witnesses (`AuditWitnessStore`).
/// Checked later against the log, it shows whether entries were cut off or rewritten.
///
/// Signed bytes: `"watchpost audit checkpoint v1"`, a zero byte, entries (u64), the 32-byte head
/// hash, the signing time (i64 seconds since 1970); integers little-endian.
public struct AuditCheckpoint: Sendable, Equatable, Codable {
    public static let format = "watchpost-audit-checkpoint-1"
    static let context: [UInt8] = Array("watchpost audit checkpoint v1".utf8) + [0]

    public var format: String
    public var entries: Int64
    public var headSHA256: String
    public var signedAt: Int64
    public var coordinatorKey: String
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case format, entries, signature
        case headSHA256 = "head_sha256", signedAt = "signed_at", coordinatorKey = "coordinator_key"
    }

    public static func signingBytes(entries: Int64, headHash: [UInt8], signedAt: Int64) -> [UInt8] {
        var w = ByteWriter()
        w.raw(context)
        w.u64(UInt64(entries))
        w.raw(headHash)
        w.i64(signedAt)
        return w.bytes
    }

    public static func sign(entries: Int64, headHash: [UInt8], at time: Date, key: Curve25519.Signing.PrivateKey) throws
        -> AuditCheckpoint
    {
        let seconds = Int64(time.timeIntervalSince1970.rounded(.down))
        let signature = try key.signature(for: signingBytes(entries: entries, headHash: headHash, signedAt: seconds))
        return AuditCheckpoint(
            format: format, entries: entries, headSHA256: hex(headHash), signedAt: seconds,
            coordinatorKey: hex(Array(key.publicKey.rawRepresentation)), signature: hex(Array(signature)))
    }

    public var headHash: [UInt8] { Self.bytes(hex: headSHA256) ?? [] }
    public var publicKey: [UInt8] { Self.bytes(hex: coordinatorKey) ?? [] }
    public var keyID: String { signerKeyID(publicKey) }

    public var isSignatureValid: Bool {
        guard format == Self.format, headHash.count == 32, let signature = Self.bytes(hex: signature),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
        else { return false }
        return key.isValidSignature(
            signature, for: Self.signingBytes(entries: entries, headHash: headHash, signedAt: signedAt))
    }

    public static func read(path: String) throws -> AuditCheckpoint {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointRefusal(.unreadable, path, "checkpoint \(path) cannot be read")
        }
        return try decode(Array(data), name: path)
    }

    /// A checkpoint from its file's bytes (at most 4 KiB); `name` is how errors name them.
    public static func decode(_ bytes: [UInt8], name: String) throws -> AuditCheckpoint {
        guard bytes.count <= 4096 else {
            throw CheckpointRefusal(
                .notACheckpoint, name, "checkpoint \(name) is \(bytes.count) bytes: not a Watchpost audit checkpoint")
        }
        do { return try JSONDecoder().decode(AuditCheckpoint.self, from: Data(bytes)) } catch {
            throw CheckpointRefusal(
                .notACheckpoint, name, "checkpoint \(name) is not a Watchpost audit checkpoint: \(error)")
        }
    }

    /// The checkpoint as its JSON file holds it.
    public func fileBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Bytes from hex digits; nil when the text is not hex.
    public static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let byte = UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
        }
        return out
    }
}
