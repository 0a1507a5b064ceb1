import Foundation
import GRDB

/// A row of the `deployment` table, as GRDB reads and writes it: the column names live here once.
struct DeploymentRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "deployment"
    /// Every column but the bundle (megabytes for a large list), which only the node server reads.
    static var databaseSelection: [any SQLSelectable] {
        CodingKeys.allCases.filter { $0 != .bundle }
    }

    var id: String
    var state: String
    var placeName: String
    var latitude: Double
    var longitude: Double
    var windowStartMs: Int64
    var windowEndMs: Int64
    var purpose: String
    var legalBasis: String
    var createdBy: String
    var createdAtMs: Int64
    var authorisingOfficer: String?
    var authorisedAtMs: Int64?
    var startedBy: String?
    var startedAtMs: Int64?
    var endedBy: String?
    var endedAtMs: Int64?
    var destroyedAtMs: Int64?
    var bundle: Data?
    var bundleSHA256: String
    var watchlistID: String
    var bundleVersion: Int64
    /// Signer key ids, comma-separated.
    var signers: String
    var threshold: Double
    var listSize: Int
    /// `ExpectedPerformance` as JSON.
    var expected: String
    var enrolment: String?
    var cohort: String?
    var listPseudonymisedAtMs: Int64?

    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case id, state
        case placeName = "place_name"
        case latitude, longitude
        case windowStartMs = "window_start_ms"
        case windowEndMs = "window_end_ms"
        case purpose
        case legalBasis = "legal_basis"
        case createdBy = "created_by"
        case createdAtMs = "created_at_ms"
        case authorisingOfficer = "authorising_officer"
        case authorisedAtMs = "authorised_at_ms"
        case startedBy = "started_by"
        case startedAtMs = "started_at_ms"
        case endedBy = "ended_by"
        case endedAtMs = "ended_at_ms"
        case destroyedAtMs = "destroyed_at_ms"
        case bundle
        case bundleSHA256 = "bundle_sha256"
        case watchlistID = "watchlist_id"
        case bundleVersion = "bundle_version"
        case signers, threshold
        case listSize = "list_size"
        case expected, enrolment, cohort
        case listPseudonymisedAtMs = "list_pseudonymised_at_ms"
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys
}

extension DeploymentRow {
    /// The ids of the deployments live now.
    static var liveIDs: QueryInterfaceRequest<String> {
        filter(Columns.state == DeploymentState.live.rawValue).select(Columns.id, as: String.self)
    }
}

/// A deployment's row as `DeploymentStore.load` reads it: every column but the bundle, and
/// whether the coordinator still holds one.
struct DeploymentRowWithoutBundle: FetchableRecord {
    let row: DeploymentRow
    let holdsBundle: Bool

    init(row: Row) throws {
        self.row = try DeploymentRow(row: row)
        holdsBundle = row["holds_bundle"]
    }

    static func request(_ id: String) -> QueryInterfaceRequest<DeploymentRowWithoutBundle> {
        DeploymentRow.filter(key: id)
            .select(DeploymentRow.databaseSelection + [(DeploymentRow.Columns.bundle != nil).forKey("holds_bundle")])
            .asRequest(of: DeploymentRowWithoutBundle.self)
    }
}

/// A row of `deployment_node`: a node a deployment uses.
struct DeploymentNodeRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "deployment_node"
    static let deployment = belongsTo(DeploymentRow.self, using: ForeignKey(["deployment_id"]))

    var deploymentID: String
    var nodeID: String

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case deploymentID = "deployment_id"
        case nodeID = "node_id"
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys
}

/// A row of `deployment_subject`: a subject on a deployment's list, as the record keeps it.
struct DeploymentSubjectRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "deployment_subject"
    /// Every column but the reference photo, which only the alert page loads.
    static var databaseSelection: [any SQLSelectable] {
        CodingKeys.allCases.filter { $0 != .referencePhoto }
    }

    var deploymentID: String
    var subjectID: String
    var displayName: String?
    var category: String
    var reason: String
    var warning: String?
    var legalBasis: String
    var imageSource: String
    var under18: Bool
    var overrideBy: String?
    var overrideReason: String?
    var overrideAtMs: Int64?
    var overrideSalt: Data?
    var referencePhoto: Data?

    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case deploymentID = "deployment_id"
        case subjectID = "subject_id"
        case displayName = "display_name"
        case category, reason, warning
        case legalBasis = "legal_basis"
        case imageSource = "image_source"
        case under18 = "under_18"
        case overrideBy = "override_by"
        case overrideReason = "override_reason"
        case overrideAtMs = "override_at_ms"
        case overrideSalt = "override_salt"
        case referencePhoto = "reference_photo"
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    static func of(_ deployment: String) -> QueryInterfaceRequest<DeploymentSubjectRow> {
        filter(Columns.deploymentID == deployment)
    }

    var listed: ListedSubject {
        ListedSubject(
            subjectID: subjectID, displayName: displayName, category: category, reason: reason, warning: warning,
            legalBasis: legalBasis, imageSource: imageSource, under18: under18, overrideBy: overrideBy,
            overrideReason: overrideReason)
    }
}
