import ArgumentParser
import Shared
import ZeroMQTransport

/// `edge-node keys new`: the node's CURVE key pair; its public half is enrolled at the coordinator.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create this node's CURVE key pair.", subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Create the node's CURVE key pair: FILE (0600) and FILE.pub (enrol it at the coordinator).")

        @Option(help: "Key pair file to create (never overwritten), e.g. /etc/watchpost/node.curve.")
        var out: String

        func run() throws {
            let keys = try CurveKeyFile.create(at: out)
            print("node CURVE public key (enrol it at the coordinator): \(keys.publicKey)")
        }
    }
}
