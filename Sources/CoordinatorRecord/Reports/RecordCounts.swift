import Foundation
import GRDB

/// Totals for monitoring (`/metrics`): read from the record at each scrape, so they survive restarts.
public struct RecordCounts: Sendable, Equatable {
    public var alerts = 0
    public var reviews: [String: Int] = [:]
    public var outcomes: [String: Int] = [:]
    public var nodesEnrolled = 0
    /// Nodes heard from within `onlineWindow`.
    public var nodesOnline = 0
    public var liveDeployments = 0

    public static let onlineWindow: TimeInterval = 30

    public static func current(in database: CoordinatorDatabase, at now: Date) throws -> RecordCounts {
        try database.read { db in
            var c = RecordCounts()
            c.alerts = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alert") ?? 0
            for row in try Row.fetchAll(
                db, sql: "SELECT review, COUNT(*) AS n FROM alert WHERE review IS NOT NULL GROUP BY review")
            {
                c.reviews[row["review"]] = row["n"]
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT outcome, COUNT(*) AS n FROM alert WHERE outcome IS NOT NULL GROUP BY outcome")
            {
                c.outcomes[row["outcome"]] = row["n"]
            }
            c.nodesEnrolled = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM node WHERE revoked_at_ms IS NULL") ?? 0
            c.nodesOnline =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM node WHERE revoked_at_ms IS NULL AND last_heartbeat_ms > ?",
                    arguments: [milliseconds(now - onlineWindow)]) ?? 0
            c.liveDeployments = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM deployment WHERE state = 'live'") ?? 0
            return c
        }
    }
}
