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

    /// Read from the tallies the triggers keep (`AlertTally`), not the alert table: a scrape
    /// reads a few rows per deployment instead of walking past every alert's crop.
    public static func current(in database: CoordinatorDatabase, at now: Date) throws -> RecordCounts {
        try database.read { db in
            var c = RecordCounts()
            c.alerts = try AlertTally.total(db)
            c.reviews = try AlertTally.sums(by: .review, db)
            c.outcomes = try AlertTally.sums(by: .outcome, db)
            let enrolled = NodeRecord.filter(NodeRecord.Columns.revokedAtMs == nil)
            c.nodesEnrolled = try enrolled.fetchCount(db)
            c.nodesOnline = try enrolled.filter(
                NodeRecord.Columns.lastHeartbeatMs > milliseconds(now - onlineWindow)
            ).fetchCount(db)
            c.liveDeployments = try DeploymentRow.liveIDs.fetchCount(db)
            return c
        }
    }
}
