import ArgumentParser
import CoordinatorRecord
import Foundation
import Shared

/// `coordinator audit`: read, verify and checkpoint the audit log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify, list, checkpoint and witness the hash-chained audit log.",
        subcommands: [Verify.self, Checkpoint.self, Witness.self, List.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Recompute the chain; name the first edited, inserted, deleted or reordered entry. Exit status 1 when broken."
        )

        @OptionGroup var record: RecordOptions
        @Option(help: "A signed checkpoint (audit-checkpoints/*.json) to check truncation and rewriting against.")
        var checkpoint: String?
        @Option(
            help: ArgumentHelp(
                "A witness's folder of checkpoints (an edge node's audit-witness/, or audit witness --store); repeatable.",
                discussion:
                    "A tail cut, or a chain rewritten and re-signed, is found if any witness holds a later or a different head."
            ))
        var witness: [String] = []
        @Option(
            help:
                "The coordinator's audit public key (hex, from a checkpoint you trust) that the checkpoints must be signed with."
        ) var coordinatorKey: String?

        func run() throws {
            let (_, database) = try record.open()
            var checkpoints = try checkpoint.map { [try AuditCheckpoint.read(path: $0)] } ?? []
            for folder in witness {
                guard FileManager.default.fileExists(atPath: folder) else {
                    throw ValidationError("--witness \(folder) does not exist")
                }
                checkpoints += try AuditWitnessStore(folder: folder).all()
            }
            let key = try coordinatorKey.map { text -> [UInt8] in
                guard let bytes = AuditCheckpoint.bytes(hex: text), bytes.count == 32 else {
                    throw ValidationError("--coordinator-key must be 64 hex digits")
                }
                return bytes
            }
            let result = try AuditVerifier.verify(database, checkpoints: checkpoints, expectedKey: key)
            print(result.description)
            if result.isIntact, let latest = checkpoints.max(by: { $0.entries < $1.entries }) {
                let earlier = checkpoints.count > 1 ? ", as do \(checkpoints.count - 1) earlier" : ""
                print("checkpoint of \(latest.entries) entries signed by \(latest.keyID) holds\(earlier)")
            }
            for node in try AuditWitnessReceipts.latest(in: database) {
                print(
                    "witness \(node.nodeID): keeps the checkpoint of \(node.entries) entries (receipt \(isoTime(node.receivedAt)))"
                )
            }
            if !result.isIntact { throw ExitCode(1) }
        }
    }

    struct Witness: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Keep every checkpoint found in a folder (the coordinator's audit-checkpoints/, copied off the box) in a witness store.",
            discussion:
                "Run it on an auditor's machine, from cron, after copying the folder. The store is append-only (one 0600 file per checkpoint). Exit status 1 when a checkpoint contradicts one kept before: the log was cut or rewritten."
        )

        @Option(help: "The folder of checkpoints to read.") var from: String
        @Option(help: "The witness store (created if missing).") var store: String

        func run() throws {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: from, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("--from \(from) is not a folder: give the copied audit-checkpoints folder")
            }
            let witness = AuditWitnessStore(folder: store)
            var new = 0, contradictions: [String] = []
            for checkpoint in try AuditWitnessStore(folder: from).all() {
                switch try witness.keep(checkpoint) {
                case .new: new += 1
                case .alreadyKept: break
                case .contradicts(let why): contradictions.append(why)
                }
            }
            print("\(new) new checkpoint(s) kept in \(store); \(try witness.all().count) in all")
            for why in contradictions { print("CONTRADICTION: \(why)") }
            if !contradictions.isEmpty { throw ExitCode(1) }
        }
    }

    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a checkpoint of the log now (also made at each deployment end).")

        @OptionGroup var record: RecordOptions
        @OptionGroup var who: ActorOption

        func run() throws {
            let (file, database) = try record.open()
            do {
                let written = try file.checkpointWriter().checkpoint(
                    database, actor: who.actor, reason: "on demand", at: Date())
                print(
                    "checkpoint of \(written.checkpoint.entries) entries signed by \(written.checkpoint.keyID): \(written.path)"
                )
            } catch let unavailable as AuditKeyUnavailable {
                print("\(unavailable); " + RunningCoordinator.notify(stateDirectory: file.stateDirectory))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print entries, oldest first.")

        @OptionGroup var record: RecordOptions
        @Option(help: "Only entries whose action starts with this (e.g. deployment, alert.reviewed).") var action:
            String?
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
