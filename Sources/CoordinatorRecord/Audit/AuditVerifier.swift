import Foundation
import GRDB
import Shared

/// What `coordinator audit verify` found: the log's length and head, and the first problem.
public struct AuditVerification: Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// The entry's content no longer matches its hash.
        case edited(Int64)
        /// The entry was not in the chain: the next one links over it.
        case inserted(Int64)
        /// The entry's number is missing.
        case deleted(Int64)
        /// The entry links to one that comes after it.
        case reordered(Int64)
        /// The entry does not link to the one before: an entry between them was removed and the rest
        /// renumbered, or the one before was rewritten with a fresh hash.
        case brokenLink(Int64)
        /// The checkpoint covers more entries than the log holds.
        case truncated(checkpointEntries: Int64, logEntries: Int64)
        /// The log's entry at the checkpoint's length is not the one signed.
        case differsFromCheckpoint(Int64)
        case checkpointSignatureInvalid
        case checkpointKeyUnexpected(String)
    }

    public var entries: Int64
    public var headHash: [UInt8]
    public var problem: Problem?

    public var isIntact: Bool { problem == nil }

    public var description: String {
        let head = headHash.map { String(format: "%02x", $0) }.joined()
        guard let problem else { return "audit log intact: \(entries) entries, head \(head)" }
        switch problem {
        case .edited(let n):
            return "audit log BROKEN at entry \(n): its content was edited (it no longer matches its hash)"
        case .inserted(let n): return "audit log BROKEN at entry \(n): it was inserted (the next entry links over it)"
        case .deleted(let n): return "audit log BROKEN at entry \(n): it was deleted"
        case .reordered(let n):
            return "audit log BROKEN at entry \(n): entries were reordered (it links to a later entry)"
        case .brokenLink(let n):
            return
                "audit log BROKEN at entry \(n): it does not follow entry \(n - 1) (an entry between them was deleted and the rest renumbered, or entry \(n - 1) was rewritten)"
        case .truncated(let c, let l):
            return "audit log TRUNCATED: the checkpoint covers \(c) entries, the log holds \(l)"
        case .differsFromCheckpoint(let n):
            return "audit log REWRITTEN: entry \(n) is not the one the checkpoint signed"
        case .checkpointSignatureInvalid: return "checkpoint signature is INVALID: the checkpoint file was altered"
        case .checkpointKeyUnexpected(let id):
            return "checkpoint was signed by key \(id), not the coordinator key given"
        }
    }
}

/// Re-computes the audit chain from the first entry and names the first entry that breaks it;
/// with signed checkpoints (the coordinator's own, or those its witnesses kept), also detects
/// entries cut off the end and a chain rewritten since a checkpoint was signed.
public enum AuditVerifier {
    public static func verify(
        _ database: CoordinatorDatabase, checkpoint: AuditCheckpoint? = nil,
        expectedKey: [UInt8]? = nil
    ) throws -> AuditVerification {
        try verify(database, checkpoints: checkpoint.map { [$0] } ?? [], expectedKey: expectedKey)
    }

    /// - Parameter expectedKey: the key every checkpoint must be signed with; nil: the first one's.
    public static func verify(
        _ database: CoordinatorDatabase, checkpoints: [AuditCheckpoint],
        expectedKey: [UInt8]? = nil
    ) throws -> AuditVerification {
        let key = expectedKey ?? checkpoints.first?.publicKey
        for checkpoint in checkpoints {
            guard checkpoint.isSignatureValid else {
                return AuditVerification(entries: 0, headHash: [], problem: .checkpointSignatureInvalid)
            }
            if let key, key != checkpoint.publicKey {
                return AuditVerification(entries: 0, headHash: [], problem: .checkpointKeyUnexpected(checkpoint.keyID))
            }
        }
        let signedAt = Set(checkpoints.map(\.entries))
        return try database.read { db in
            var expected: Int64 = 1
            var head = AuditEntry.genesisHash
            var previous: AuditEntry?
            var hashes: [Int64: [UInt8]] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT seq, at_ms, actor, action, target, detail, prev_hash, hash FROM audit ORDER BY seq")
            while let row = try rows.next() {
                let entry = AuditEntry(row)
                if let problem = try firstProblem(entry, expected: expected, head: head, previous: previous, db: db) {
                    return AuditVerification(entries: expected - 1, headHash: head, problem: problem)
                }
                if signedAt.contains(entry.sequence) { hashes[entry.sequence] = entry.hash }
                head = entry.hash
                previous = entry
                expected += 1
            }
            let count = expected - 1
            if let longest = checkpoints.max(by: { $0.entries < $1.entries }), count < longest.entries {
                return AuditVerification(
                    entries: count, headHash: head,
                    problem: .truncated(checkpointEntries: longest.entries, logEntries: count))
            }
            if let rewritten = checkpoints.sorted(by: { $0.entries < $1.entries }).first(where: {
                $0.entries > 0 && hashes[$0.entries] != $0.headHash
            }) {
                return AuditVerification(
                    entries: count, headHash: head, problem: .differsFromCheckpoint(rewritten.entries))
            }
            return AuditVerification(entries: count, headHash: head, problem: nil)
        }
    }

    private static func firstProblem(
        _ entry: AuditEntry, expected: Int64, head: [UInt8], previous: AuditEntry?,
        db: Database
    ) throws -> AuditVerification.Problem? {
        if entry.sequence != expected { return .deleted(expected) }
        if !entry.isSelfConsistent {
            // An entry slipped in without a valid hash: the next one still links to the one before it.
            let next = try Row.fetchOne(
                db, sql: "SELECT prev_hash FROM audit WHERE seq > ? ORDER BY seq LIMIT 1", arguments: [entry.sequence])
            if let next, [UInt8](next["prev_hash"] as Data) == head { return .inserted(entry.sequence) }
            return .edited(entry.sequence)
        }
        guard entry.previousHash != head else { return nil }
        if let previous, entry.previousHash == previous.previousHash { return .inserted(previous.sequence) }
        let linked = try Int64.fetchOne(
            db, sql: "SELECT seq FROM audit WHERE hash = ?", arguments: [Data(entry.previousHash)])
        if let linked, linked > entry.sequence { return .reordered(entry.sequence) }
        return .brokenLink(entry.sequence)
    }
}

extension AuditEntry {
    init(_ row: Row) {
        self.init(
            sequence: row["seq"], atMilliseconds: row["at_ms"], actor: row["actor"], action: row["action"],
            target: row["target"], detail: row["detail"], previousHash: [UInt8](row["prev_hash"] as Data),
            hash: [UInt8](row["hash"] as Data))
    }
}
