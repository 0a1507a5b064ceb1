import ArgumentParser
import CoordinatorRecord
import Foundation
import Shared

/// `coordinator audit`: read, verify and checkpoint the audit log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify, list and checkpoint the hash-chained audit log.", subcommands: [Verify.self, Checkpoint.self, List.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the chain; name the first edited, inserted, deleted or reordered entry. Exit status 1 when broken.")

        @OptionGroup var record: RecordOptions
        @Option(help: "A signed checkpoint (audit-checkpoints/*.json) to check truncation and rewriting against.") var checkpoint: String?
        @Option(help: "The coordinator's audit public key (hex, from a checkpoint you trust) that the checkpoint must be signed with.") var coordinatorKey: String?

        func run() throws {
            let (_, database) = try record.open()
            let checkpoint = try checkpoint.map(AuditCheckpoint.read(path:))
            let key = try coordinatorKey.map { text -> [UInt8] in
                guard let bytes = AuditCheckpoint.bytes(hex: text), bytes.count == 32 else { throw ValidationError("--coordinator-key must be 64 hex digits") }
                return bytes
            }
            let result = try AuditVerifier.verify(database, checkpoint: checkpoint, expectedKey: key)
            print(result.description)
            if let checkpoint, result.isIntact { print("checkpoint of \(checkpoint.entries) entries signed by \(checkpoint.keyID) holds") }
            if !result.isIntact { throw ExitCode(1) }
        }
    }

    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a checkpoint of the log now (also made at each deployment end).")

        @OptionGroup var record: RecordOptions
        @OptionGroup var who: ActorOption

        func run() throws {
            let (file, database) = try record.open()
            let written = try AuditCheckpointWriter(stateDirectory: file.stateDirectory).checkpoint(database, actor: who.actor, reason: "on demand", at: Date())
            print("checkpoint of \(written.checkpoint.entries) entries signed by \(written.checkpoint.keyID): \(written.path)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print entries, oldest first.")

        @OptionGroup var record: RecordOptions
        @Option(help: "Only entries whose action starts with this (e.g. deployment, alert.reviewed).") var action: String?
        @Option(help: "Only entries by this actor.") var actor: String?
        @Option(help: "At most this many (the latest).") var limit = 200

        func run() throws {
            let (_, database) = try record.open()
            for e in try AuditLog.entries(in: database, actionPrefix: action, actor: actor, limit: limit) {
                print("\(e.sequence)\t\(isoTime(e.at))\t\(e.actor)\t\(e.action)\t\(e.target)\t\(e.detail)")
            }
        }
    }
}
