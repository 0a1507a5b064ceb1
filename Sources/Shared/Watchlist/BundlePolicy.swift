import Foundation

/// Why an edge node refused a watchlist bundle. `code` is stable and goes to the coordinator;
/// `description` is for the log.
public enum BundleRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case unsigned
    case unknownSigner(String)
    case badSignature(String)
    case tooFewSigners(valid: Int, required: Int)
    case wrongDeployment(String)
    case wrongModel(String)
    case notYetValid(Date)
    case expired(Date)
    case rollback(offered: UInt64, held: UInt64)

    public var code: String {
        switch self {
        case .malformed: "malformed"
        case .unsigned: "unsigned"
        case .unknownSigner: "unknown_signer"
        case .badSignature: "bad_signature"
        case .tooFewSigners: "too_few_signers"
        case .wrongDeployment: "wrong_deployment"
        case .wrongModel: "wrong_model"
        case .notYetValid: "not_yet_valid"
        case .expired: "expired"
        case .rollback: "rollback"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let why): "malformed or oversized bundle: \(why)"
        case .unsigned: "bundle carries no signature"
        case .unknownSigner(let id): "signed by key \(id), which this node does not trust"
        case .badSignature(let id): "signature by key \(id) does not match the bundle (tampered or corrupt)"
        case .tooFewSigners(let valid, let required): "\(valid) valid signature(s), \(required) required"
        case .wrongDeployment(let id): "bundle is for deployment \(id), not this node's"
        case .wrongModel(let model): "bundle is for embedding model \(model), not the one this node runs"
        case .notYetValid(let date): "bundle is not valid before \(date)"
        case .expired(let date): "bundle expired at \(date)"
        case .rollback(let offered, let held): "bundle version \(offered) is not above the held version \(held)"
        }
    }
}

/// What an edge node accepts: k of its n trusted signers, its deployment, its model, the validity
/// window, and only versions above the one it holds. A pure function of its inputs (the clock
/// is a parameter), so every refusal is testable without I/O.
public struct BundlePolicy: Sendable {
    public let trustedSigners: Set<[UInt8]>
    public let requiredSignatures: Int
    public let deploymentID: String
    public let embeddingModel: String
    public let limits: WatchlistBundle.Limits

    public init(
        trustedSigners: Set<[UInt8]>, requiredSignatures: Int, deploymentID: String, embeddingModel: String,
        limits: WatchlistBundle.Limits = WatchlistBundle.Limits()
    ) {
        self.trustedSigners = trustedSigners
        self.requiredSignatures = requiredSignatures
        self.deploymentID = deploymentID
        self.embeddingModel = embeddingModel
        self.limits = limits
    }

    /// Verifies bundle file bytes. Signatures are checked over the exact bytes received before the
    /// payload is decoded; unauthenticated content changes nothing.
    public func verify(_ bytes: [UInt8], heldVersion: UInt64?, now: Date) -> Result<WatchlistBundle, BundleRefusal> {
        let signed: SignedBundle
        do { signed = try SignedBundle.decode(fileBytes: bytes, maxPayloadBytes: limits.maxPayloadBytes) } catch {
            return .failure(.malformed("\(error)"))
        }
        guard !signed.signatures.isEmpty else { return .failure(.unsigned) }
        var valid = Set<[UInt8]>()
        for s in signed.signatures {
            guard trustedSigners.contains(s.publicKey) else {
                return .failure(.unknownSigner(signerKeyID(s.publicKey)))
            }
            guard signed.isValid(s) else { return .failure(.badSignature(signerKeyID(s.publicKey))) }
            valid.insert(s.publicKey)
        }
        guard valid.count >= requiredSignatures else {
            return .failure(.tooFewSigners(valid: valid.count, required: requiredSignatures))
        }
        let bundle: WatchlistBundle
        do { bundle = try WatchlistBundle.decode(payload: signed.payload, limits: limits) } catch {
            return .failure(.malformed("\(error)"))
        }
        guard bundle.deploymentID == deploymentID else { return .failure(.wrongDeployment(bundle.deploymentID)) }
        guard bundle.embeddingModel == embeddingModel else { return .failure(.wrongModel(bundle.embeddingModel)) }
        guard now >= bundle.notBefore else { return .failure(.notYetValid(bundle.notBefore)) }
        guard now < bundle.expiresAt else { return .failure(.expired(bundle.expiresAt)) }
        if let held = heldVersion, bundle.version <= held {
            return .failure(.rollback(offered: bundle.version, held: held))
        }
        return .success(bundle)
    }
}
