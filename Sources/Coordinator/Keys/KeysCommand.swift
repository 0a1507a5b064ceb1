import ArgumentParser
import Shared
import ZeroMQTransport

/// `coordinator keys`: key pairs for the people who sign watchlists.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create signing keys and the coordinator's CURVE keys.",
        subcommands: [NewSigner.self, NewCurve.self])

    struct NewSigner: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-signer",
            abstract: "Create an Ed25519 key pair for a watchlist signer: FILE (0600) and FILE.pub.")

        @Option(help: "Private key file to create (never overwritten).")
        var out: String

        func run() throws {
            let key = try SigningKeyFile.create(at: out)
            print("signer key \(signerKeyID(Array(key.publicKey.rawRepresentation))) created")
            print("public key (for edge trust configs): \(SigningKeyFile.publicKeyText(key.publicKey))")
        }
    }

    struct NewCurve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-curve",
            abstract: "Create the coordinator's CURVE key pair: FILE (0600) and FILE.pub (give it to the edge nodes).")

        @Option(help: "Key pair file to create (never overwritten).")
        var out: String

        func run() throws {
            let keys = try CurveKeyFile.create(at: out)
            print("coordinator CURVE public key (for edge configs): \(keys.publicKey)")
        }
    }
}
