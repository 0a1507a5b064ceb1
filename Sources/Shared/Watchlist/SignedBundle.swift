import Crypto
import Foundation

/// A watchlist payload and the Ed25519 signatures over it, as stored in a file and sent to nodes.
/// Each signer adds their own signature with their own key (k of n are required at the edge).
public struct SignedBundle: Sendable, Equatable {
    public static let fileMagic: [UInt8] = Array("WPSB".utf8)
    public static let fileVersion: UInt8 = 1
    public static let maxSignatures = 16
    /// Signatures cover this prefix and the payload, so that they cannot be replayed on other data.
    static let signingContext: [UInt8] = Array("watchpost watchlist bundle v1".utf8) + [0]

    public struct Signature: Sendable, Equatable {
        public var publicKey: [UInt8]
        public var signature: [UInt8]

        public init(publicKey: [UInt8], signature: [UInt8]) {
            self.publicKey = publicKey
            self.signature = signature
        }
    }

    public var payload: [UInt8]
    public var signatures: [Signature]

    public init(payload: [UInt8], signatures: [Signature] = []) {
        self.payload = payload
        self.signatures = signatures
    }

    /// This bundle with one more signature (replacing an earlier one by the same key).
    public func signed(with key: Curve25519.Signing.PrivateKey) throws -> SignedBundle {
        let signature = try key.signature(for: Self.signingContext + payload)
        let publicKey = Array(key.publicKey.rawRepresentation)
        var copy = self
        copy.signatures.removeAll { $0.publicKey == publicKey }
        copy.signatures.append(Signature(publicKey: publicKey, signature: Array(signature)))
        return copy
    }

    public func isValid(_ s: Signature) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: s.publicKey) else { return false }
        return key.isValidSignature(s.signature, for: Self.signingContext + payload)
    }

    public func fileBytes() -> [UInt8] {
        var w = ByteWriter()
        w.raw(Self.fileMagic)
        w.u8(Self.fileVersion)
        w.blob(payload)
        w.u8(UInt8(signatures.count))
        for s in signatures {
            w.raw(s.publicKey)
            w.raw(s.signature)
        }
        return w.bytes
    }

    /// Decodes the container (not the payload, which is only read once its signatures hold).
    public static func decode(fileBytes bytes: [UInt8], maxPayloadBytes: Int) throws -> SignedBundle {
        var r = ByteReader(bytes)
        guard bytes.count >= 5, try r.raw(4, "magic") == fileMagic else {
            throw MalformedBytes(description: "not a Watchpost signed bundle")
        }
        let version = try r.u8("file version")
        guard version == fileVersion else {
            throw MalformedBytes(description: "bundle format \(version) is not supported")
        }
        let payload = try r.blob("payload", limit: maxPayloadBytes)
        let count = Int(try r.u8("signature count"))
        guard count <= maxSignatures else {
            throw MalformedBytes(description: "\(count) signatures exceed \(maxSignatures)")
        }
        let signatures = try (0..<count).map { _ in
            Signature(publicKey: try r.raw(32, "signer key"), signature: try r.raw(64, "signature"))
        }
        guard r.isAtEnd else { throw MalformedBytes(description: "\(r.remaining) bytes after the signatures") }
        return SignedBundle(payload: payload, signatures: signatures)
    }
}

/// A short printable name for a signer's public key: the first 8 bytes of its SHA-256, in hex.
public func signerKeyID(_ publicKey: [UInt8]) -> String {
    SHA256.hash(data: publicKey).prefix(8).map { String(format: "%02x", $0) }.joined()
}
