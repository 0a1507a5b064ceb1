import Crypto
import FaceTemplates
import Foundation
import PropertyBased
import Shared
import Testing

/// The bundle policy over generated bundles, signers and times: a node takes a bundle exactly
/// when enough of its trusted signers signed it, it is for this deployment, `now` lies in its
/// validity window and its version is above the one held. Anything else is refused.
@Suite struct BundlePolicyProperties {
    /// Keys as raw bytes (the key type is not Sendable); one made per use.
    private static let trustedKeys = (0..<3).map { _ in Curve25519.Signing.PrivateKey().rawRepresentation }
    private static let strangerKey = Curve25519.Signing.PrivateKey().rawRepresentation
    private static func key(_ raw: Data) -> Curve25519.Signing.PrivateKey {
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)
    private static let model = "dlib_face_recognition_resnet_model_v1"
    private static let policy = BundlePolicy(
        trustedSigners: Set(trustedKeys.map { Array(key($0).publicKey.rawRepresentation) }), requiredSignatures: 2,
        deploymentID: "dep-1", embeddingModel: model)

    /// One offered bundle and what the node holds.
    struct Offer: Sendable, CustomStringConvertible {
        var trustedSigners: Int
        var signedByStranger: Bool
        var deployment: String
        var version: UInt64
        var held: UInt64?
        /// Seconds from now.
        var notBefore: Int
        var expires: Int

        var description: String {
            "signers \(trustedSigners)\(signedByStranger ? "+stranger" : "") \(deployment) v\(version) held \(held.map(String.init) ?? "none") window [\(notBefore), \(expires))"
        }

        var shouldBeTaken: Bool {
            trustedSigners >= 2 && !signedByStranger && deployment == "dep-1" && notBefore <= 0 && 0 < expires
                && held.map { version > $0 } ?? true
        }

        func bytes() throws -> [UInt8] {
            let bundle = WatchlistBundle(
                deploymentID: deployment, watchlistID: "wl-1", version: version,
                issuedAt: now.addingTimeInterval(-7200),
                notBefore: now.addingTimeInterval(TimeInterval(notBefore)),
                expiresAt: now.addingTimeInterval(TimeInterval(expires)), embeddingModel: model, threshold: 0.5,
                entries: [
                    WatchlistEntry(subject: "s-1", templates: [Embedding([Float](repeating: 0.0625, count: 128))])
                ])
            let keys = (Array(trustedKeys.prefix(trustedSigners)) + (signedByStranger ? [strangerKey] : [])).map(key)
            return try keys.reduce(SignedBundle(payload: bundle.payloadBytes())) { try $0.signed(with: $1) }.fileBytes()
        }
    }

    private static let offers = zip(
        Gen.int(in: 0...3), Gen.bool(0.15), Gen.element(of: ["dep-1", "dep-1", "dep-1", "dep-2"]),
        Gen.uint64(in: 1...6), Gen.uint64(in: 1...6).optional, Gen.int(in: -7200...600), Gen.int(in: -600...7200)
    ).map { signers, stranger, deployment, version, held, notBefore, expires in
        Offer(
            trustedSigners: signers, signedByStranger: stranger, deployment: deployment ?? "dep-1", version: version,
            held: held, notBefore: notBefore, expires: max(expires, notBefore + 1))
    }

    @Test func aBundleIsTaken_exactlyWhenEveryRuleHolds() async {
        await propertyCheck(count: 400, input: Self.offers) { offer in
            let result = Self.policy.verify(try offer.bytes(), heldVersion: offer.held, now: Self.now)
            switch result {
            case .success(let bundle):
                #expect(offer.shouldBeTaken, "taken: \(offer)")
                #expect(bundle.version == offer.version)
            case .failure(let refusal):
                #expect(!offer.shouldBeTaken, "refused \(refusal.code): \(offer)")
            }
        }
    }

    /// Signatures cover the exact bytes: any one byte changed in a taken bundle makes it refused.
    @Test func anyByteChangedInASignedBundle_isRefused() async throws {
        let offer = Offer(
            trustedSigners: 2, signedByStranger: false, deployment: "dep-1", version: 3, held: 1, notBefore: -60,
            expires: 60)
        let bytes = try offer.bytes()
        guard case .success = Self.policy.verify(bytes, heldVersion: 1, now: Self.now) else {
            Issue.record("the untouched bundle must be taken")
            return
        }
        await propertyCheck(count: 300, input: Gen.int(in: 0..<bytes.count), Gen.uint8(in: 1...255)) { index, flip in
            var changed = bytes
            changed[index] ^= flip
            if case .success = Self.policy.verify(changed, heldVersion: 1, now: Self.now) {
                Issue.record("byte \(index) changed (xor \(flip)) and the bundle was still taken")
            }
        }
    }
}
