import Crypto
import Foundation

/// An edge node's part as a witness of the coordinator's audit log: each checkpoint the
/// coordinator sends is checked and kept (`AuditWitnessStore`), and answered with a receipt signed
/// by the node's own witness key (`witness-signing.key` in its state folder, 0600).
public struct AuditWitness {
    public static let keyFileName = "witness-signing.key"
    public static let folderName = "audit-witness"

    public let store: AuditWitnessStore
    private let key: Curve25519.Signing.PrivateKey

    /// The witness of a node whose state folder is `stateDirectory` (its key made on first use).
    public init(stateDirectory: String) throws {
        store = AuditWitnessStore(folder: stateDirectory + "/" + Self.folderName)
        let path = stateDirectory + "/" + Self.keyFileName
        key =
            FileManager.default.fileExists(atPath: path)
            ? try SigningKeyFile.loadPrivate(path: path) : try SigningKeyFile.create(at: path)
    }

    /// Keeps the checkpoint in `fileBytes` and signs a receipt for it; throws for one that is not a
    /// validly signed checkpoint (nothing kept, no receipt).
    public func witness(_ fileBytes: [UInt8]) throws -> (
        receipt: WireMessage.WitnessReceipt, kept: AuditWitnessStore.Kept
    ) {
        let checkpoint = try AuditCheckpoint.decode(fileBytes, name: "from the coordinator")
        let kept = try store.keep(checkpoint)
        let entries = UInt64(max(0, checkpoint.entries))
        let signature = try key.signature(
            for: WireMessage.WitnessReceipt.signingBytes(entries: entries, headHash: checkpoint.headHash))
        return (
            WireMessage.WitnessReceipt(
                entries: entries, headHash: checkpoint.headHash, witnessKey: Array(key.publicKey.rawRepresentation),
                signature: Array(signature)), kept
        )
    }
}
