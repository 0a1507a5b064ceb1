import GRDB

/// A row of `deployment_field_officer`: a field officer on a deployment's team.
struct FieldOfficerRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "deployment_field_officer"

    var deploymentID: String
    var officer: String
    var assignedBy: String
    var assignedAtMs: Int64

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case deploymentID = "deployment_id"
        case officer
        case assignedBy = "assigned_by"
        case assignedAtMs = "assigned_at_ms"
    }
    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    /// One officer's place on one deployment's team.
    static func membership(_ officer: String, of deployment: String) -> QueryInterfaceRequest<FieldOfficerRow> {
        filter(Columns.deploymentID == deployment && Columns.officer == officer)
    }

    /// The names on a deployment's team, in order.
    static func names(of deployment: String) -> QueryInterfaceRequest<String> {
        filter(Columns.deploymentID == deployment).order(Columns.officer).select(Columns.officer, as: String.self)
    }
}

/// A row of `alert_dispatch`: a confirmed match sent to a field officer.
struct AlertDispatchRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "alert_dispatch"

    var alertID: String
    var officer: String
    var sentAtMs: Int64

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case alertID = "alert_id"
        case officer
        case sentAtMs = "sent_at_ms"
    }
    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    /// The ids of the alerts sent to an officer.
    static func alertIDs(sentTo officer: String) -> QueryInterfaceRequest<String> {
        filter(Columns.officer == officer).select(Columns.alertID, as: String.self)
    }
}
