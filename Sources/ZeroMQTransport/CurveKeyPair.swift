import CZeroMQ
import Foundation

/// A CURVE key pair (Curve25519) for a node or the coordinator, as Z85 text (40 characters).
/// The secret half belongs in a 0600 file (see `CurveKeyFile`); the public half is printed for enrolment.
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: String
    public let secretKey: String

    public init(publicKey: String, secretKey: String) throws {
        guard Self.isZ85Key(publicKey), Self.isZ85Key(secretKey) else {
            throw TransportError(call: "CURVE key", code: EINVAL)
        }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A fresh key pair from libzmq (which uses libsodium's randomness).
    public static func generate() throws -> CurveKeyPair {
        var pub = [CChar](repeating: 0, count: 41), sec = [CChar](repeating: 0, count: 41)
        try zmqCheck(zmq_curve_keypair(&pub, &sec), "zmq_curve_keypair")
        return try CurveKeyPair(publicKey: String(cString: pub), secretKey: String(cString: sec))
    }

    /// A 40-character Z85 key (Z85 decodes it to 32 bytes).
    public static func isZ85Key(_ text: String) -> Bool {
        guard text.utf8.count == 40 else { return false }
        var out = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&out, text) != nil
    }

    /// The 32 raw bytes of a Z85 public key (as the ZAP handler receives it).
    public static func rawKey(_ z85: String) -> [UInt8]? {
        guard isZ85Key(z85) else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        _ = zmq_z85_decode(&out, z85)
        return out
    }

    /// The Z85 text of 32 raw key bytes.
    public static func z85(_ raw: [UInt8]) -> String? {
        guard raw.count == 32 else { return nil }
        var out = [CChar](repeating: 0, count: 41)
        return raw.withUnsafeBufferPointer { zmq_z85_encode(&out, $0.baseAddress, 32) } == nil
            ? nil : String(cString: out)
    }
}

extension ZMQSocket {
    /// Makes this socket a CURVE server (the coordinator's ROUTER). Clients are checked by the
    /// context's ZAP handler under `domain`.
    public func makeCurveServer(_ keys: CurveKeyPair, domain: String) throws {
        try set(ZMQ_CURVE_SERVER, Int32(1))
        try set(ZMQ_CURVE_SECRETKEY, keys.secretKey)
        try set(ZMQ_ZAP_DOMAIN, domain)
    }

    /// Makes this socket a CURVE client (an edge node's DEALER) of the server with `serverKey`.
    public func makeCurveClient(_ keys: CurveKeyPair, serverKey: String) throws {
        try set(ZMQ_CURVE_SERVERKEY, serverKey)
        try set(ZMQ_CURVE_PUBLICKEY, keys.publicKey)
        try set(ZMQ_CURVE_SECRETKEY, keys.secretKey)
    }
}
