import Foundation
import GRDB

/// Reading the audit log (appending goes through `CoordinatorDatabase.change`).
public enum AuditLog {
    /// What the auditor's page asks for: filters, and where the page starts.
    public struct Query: Sendable, Equatable {
        public var actionPrefix: String?
        public var actor: String?
        /// The target, whole (a deployment id, a user, an alert id).
        public var target: String?
        /// Entries at or after `from` and before `to`.
        public var from: Date?
        public var to: Date?
        /// Entries before this sequence number (the next page, newest first); nil: from the newest.
        public var before: Int64?

        public init(
            actionPrefix: String? = nil, actor: String? = nil, target: String? = nil, from: Date? = nil,
            to: Date? = nil, before: Int64? = nil
        ) {
            self.actionPrefix = actionPrefix
            self.actor = actor
            self.target = target
            self.from = from
            self.to = to
            self.before = before
        }
    }

    /// One page of entries, newest first, and where the next page starts (nil: this was the last).
    public struct Page: Sendable, Equatable {
        public let entries: [AuditEntry]
        public let nextBefore: Int64?
    }

    /// A page of at most `size` entries matching `query`, newest first, along the primary key.
    public static func page(_ query: Query, size: Int = 50, in database: CoordinatorDatabase) throws -> Page {
        try database.read { db in
            var conditions: [String] = [], arguments: [DatabaseValueConvertible] = []
            if let prefix = query.actionPrefix {
                conditions.append("action LIKE ? ESCAPE '\\'")
                arguments.append(likePrefix(prefix))
            }
            for (column, value) in [("actor", query.actor), ("target", query.target)] {
                guard let value else { continue }
                conditions.append("\(column) = ?")
                arguments.append(value)
            }
            if let from = query.from {
                conditions.append("at_ms >= ?")
                arguments.append(milliseconds(from))
            }
            if let to = query.to {
                conditions.append("at_ms < ?")
                arguments.append(milliseconds(to))
            }
            if let before = query.before {
                conditions.append("seq < ?")
                arguments.append(before)
            }
            arguments.append(size + 1)
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM audit \(filter) ORDER BY seq DESC LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(AuditEntry.init)
            let shown = Array(rows.prefix(size))
            return Page(entries: shown, nextBefore: rows.count > size ? shown.last?.sequence : nil)
        }
    }

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
