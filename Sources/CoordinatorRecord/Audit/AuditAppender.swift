import Foundation
import GRDB

/// Appends entries to the audit chain inside the caller's transaction (`CoordinatorDatabase.change`):
/// it reads the head once, then chains each entry to the one before.
public struct AuditAppender {
    private let db: Database
    private var headSequence: Int64
    private var headHash: [UInt8]

    init(_ db: Database) throws {
        self.db = db
        (headSequence, headHash) = try AuditHead.read(db)
    }

    /// Appends one entry and returns its sequence number.
    @discardableResult
    public mutating func append(_ event: AuditEvent, at time: Date) throws -> Int64 {
        let ms = Int64((time.timeIntervalSince1970 * 1000).rounded())
        let detail = AuditEntry.detailJSON(event.detail)
        let hash = AuditEntry.hash(
            atMilliseconds: ms, actor: event.actor, action: event.action.rawValue, target: event.target,
            detail: detail, previousHash: headHash)
        headSequence += 1
        try db.execute(
            sql:
                "INSERT INTO audit (seq, at_ms, actor, action, target, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                headSequence, ms, event.actor, event.action.rawValue, event.target, detail, Data(headHash), Data(hash),
            ])
        headHash = hash
        return headSequence
    }
}
