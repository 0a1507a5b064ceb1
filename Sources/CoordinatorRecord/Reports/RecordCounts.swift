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

    /// Read from the tallies the triggers keep (`AlertTallyRow`), not the alert table: a scrape
    /// reads a few rows per deployment instead of walking past every alert's crop.
    public static func current(in database: CoordinatorDatabase, at now: Date) throws -> RecordCounts {
        try database.read { db in
            var c = RecordCounts()
            c.alerts = try AlertTallyRow.select(sum(AlertTallyRow.Columns.alerts), as: Int.self).fetchOne(db) ?? 0
            c.reviews = try AlertTallyRow.sums(by: .review, db)
            c.outcomes = try AlertTallyRow.sums(by: .outcome, db)
            let enrolled = NodeRecord.filter(NodeRecord.Columns.revokedAtMs == nil)
            c.nodesEnrolled = try enrolled.fetchCount(db)
            c.nodesOnline = try enrolled.filter(
                NodeRecord.Columns.lastHeartbeatMs > milliseconds(now - onlineWindow)
            ).fetchCount(db)
            c.liveDeployments = try DeploymentRow.filter(DeploymentRow.Columns.state == DeploymentState.live.rawValue)
                .fetchCount(db)
            return c
        }
    }
}

/// A row of `alert_tally`: how many alerts of a deployment stand at one review, outcome and
/// action ('' for none yet), kept by triggers in the same transaction as each alert stored or decided.
struct AlertTallyRow: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "alert_tally"

    var deploymentID: String
    var review: String
    var outcome: String
    var outcomeAction: String
    var alerts: Int

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case deploymentID = "deployment_id"
        case review, outcome
        case outcomeAction = "outcome_action"
        case alerts
    }
    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    /// Alerts by each value a decision column holds, leaving out those not decided yet.
    static func sums(by column: Columns, _ db: Database) throws -> [String: Int] {
        let rows = try filter(column != "").group(column).having(sum(Columns.alerts) > 0)
            .select(column, sum(Columns.alerts)).asRequest(of: Row.self).fetchAll(db)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) })
    }
}
