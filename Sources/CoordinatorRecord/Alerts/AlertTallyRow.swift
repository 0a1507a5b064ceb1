import GRDB

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
