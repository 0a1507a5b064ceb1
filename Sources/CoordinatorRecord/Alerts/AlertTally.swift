import GRDB

/// The `alert_tally` table: how many alerts of a deployment stand at one review, outcome and
/// action ('' for none yet), kept by triggers in the same transaction as each alert stored or
/// decided. Only ever summed, so it names its columns and has no row type.
struct AlertTally: TableRecord {
    static let databaseTableName = "alert_tally"

    enum Columns: String, ColumnExpression {
        case deploymentID = "deployment_id"
        case review, outcome
        case outcomeAction = "outcome_action"
        case alerts
    }

    /// Every alert on the record.
    static func total(_ db: Database) throws -> Int {
        try select(sum(Columns.alerts), as: Int.self).fetchOne(db) ?? 0
    }

    /// Alerts by each value a decision column holds, leaving out those not decided yet.
    static func sums(by column: Columns, _ db: Database) throws -> [String: Int] {
        let rows = try filter(column != "").group(column).having(sum(Columns.alerts) > 0)
            .select(column, sum(Columns.alerts)).asRequest(of: Row.self).fetchAll(db)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) })
    }
}
