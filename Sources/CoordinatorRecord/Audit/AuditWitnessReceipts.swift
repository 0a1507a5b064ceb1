import Crypto
import Foundation
import GRDB
import Shared

/// The receipts edge nodes send for the checkpoints they keep as witnesses: which node holds which
/// head, signed with its witness key. Kept beside the log, not in it (a receipt per node per
/// checkpoint would make the log grow when nothing else happens); what protects the log is the
/// nodes' own copies, which `audit verify --witness` reads.
public enum AuditWitnessReceipts {
    /// The newest receipt of one node.
    public struct Latest: Sendable, Equatable {
        public var nodeID: String
        public var entries: Int64
        public var headSHA256: String
        public var receivedAt: Date
    }

    /// Records a receipt whose signature holds; false (nothing written) when it does not.
    @discardableResult
    public static func record(
        _ receipt: WireMessage.WitnessReceipt, from node: String, in database: CoordinatorDatabase, at now: Date
    ) throws -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: receipt.witnessKey),
            key.isValidSignature(
                receipt.signature,
                for: WireMessage.WitnessReceipt.signingBytes(entries: receipt.entries, headHash: receipt.headHash))
        else {
            return false
        }
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        try database.change { db, _ in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO audit_witness_receipt (node_id, entries, head_sha256, witness_key,
                    signature, received_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    node, Int64(clamping: receipt.entries), hex(receipt.headHash), hex(receipt.witnessKey),
                    hex(receipt.signature),
                    milliseconds(now),
                ])
        }
        return true
    }

    /// Each node's newest receipt, by node.
    public static func latest(in database: CoordinatorDatabase) throws -> [Latest] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT node_id, MAX(entries) AS entries, head_sha256,
                    received_at_ms FROM audit_witness_receipt GROUP BY node_id ORDER BY node_id
                    """
            ).map {
                Latest(
                    nodeID: $0["node_id"], entries: $0["entries"], headSHA256: $0["head_sha256"],
                    receivedAt: date(milliseconds: $0["received_at_ms"]))
            }
        }
    }
}
