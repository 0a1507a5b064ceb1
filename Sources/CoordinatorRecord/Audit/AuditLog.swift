import Foundation
import GRDB

/// Reading the audit log (appending goes through `CoordinatorDatabase.change`).
public enum AuditLog {
    /// The latest `limit` entries matching the filters, oldest first.
    /// How many entries the log holds.
    public static func length(in database: CoordinatorDatabase) throws -> Int64 {
        try database.read { db in try AuditHead.read(db).entries }
    }

    public static func entries(
        in database: CoordinatorDatabase, actionPrefix: String? = nil, actor: String? = nil,
        limit: Int = 200
    ) throws -> [AuditEntry] {
        try database.read { db in
            var conditions: [String] = [], arguments: [DatabaseValueConvertible] = []
            if let actionPrefix {
                conditions.append("action LIKE ? ESCAPE '\\'")
                arguments.append(likePrefix(actionPrefix))
            }
            if let actor {
                conditions.append("actor = ?")
                arguments.append(actor)
            }
            arguments.append(limit)
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT * FROM (SELECT * FROM audit \(filter) ORDER BY seq DESC LIMIT ?) ORDER BY seq",
                arguments: StatementArguments(arguments)
            ).map(AuditEntry.init)
        }
    }

    private static func likePrefix(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
