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
            try AuditWitnessReceiptRow(
                nodeID: node, entries: Int64(clamping: receipt.entries), headSHA256: hex(receipt.headHash),
                witnessKey: hex(receipt.witnessKey), signature: hex(receipt.signature), receivedAtMs: milliseconds(now)
            ).insert(db, onConflict: .replace)
        }
        return true
    }

    /// Each node's newest receipt, by node.
    public static func latest(in database: CoordinatorDatabase) throws -> [Latest] {
        try database.read { db in
            try AuditWitnessReceiptRow.newestByNode.fetchAll(db).map {
                Latest(nodeID: $0[0], entries: $0[1], headSHA256: $0[2], receivedAt: date(milliseconds: $0[3]))
            }
        }
    }
}

/// A row of `audit_witness_receipt`: one node's signed receipt for one checkpoint (hex fields).
struct AuditWitnessReceiptRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "audit_witness_receipt"

    var nodeID: String
    var entries: Int64
    var headSHA256: String
    var witnessKey: String
    var signature: String
    var receivedAtMs: Int64

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case nodeID = "node_id"
        case entries
        case headSHA256 = "head_sha256"
        case witnessKey = "witness_key"
        case signature
        case receivedAtMs = "received_at_ms"
    }
    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    /// Each node's newest receipt: SQLite takes the bare columns from the row with the largest `entries`.
    static var newestByNode: QueryInterfaceRequest<Row> {
        all().group(Columns.nodeID).order(Columns.nodeID)
            .select(Columns.nodeID, max(Columns.entries), Columns.headSHA256, Columns.receivedAtMs)
            .asRequest(of: Row.self)
    }
}
