import Foundation
import GRDB

/// A row of the `deployment` table, as GRDB reads and writes it: the column names live here once.
struct DeploymentRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "deployment"
    /// Every column but the bundle (megabytes for a large list), which only the node server reads.
    static var databaseSelection: [any SQLSelectable] {
        CodingKeys.allCases.filter { $0 != .bundle }.map { Column($0) }
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

    enum CodingKeys: String, CodingKey, CaseIterable {
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

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let state = Column(CodingKeys.state)
        static let windowStartMs = Column(CodingKeys.windowStartMs)
        static let windowEndMs = Column(CodingKeys.windowEndMs)
        static let authorisingOfficer = Column(CodingKeys.authorisingOfficer)
        static let authorisedAtMs = Column(CodingKeys.authorisedAtMs)
        static let startedBy = Column(CodingKeys.startedBy)
        static let startedAtMs = Column(CodingKeys.startedAtMs)
        static let endedBy = Column(CodingKeys.endedBy)
        static let endedAtMs = Column(CodingKeys.endedAtMs)
        static let destroyedAtMs = Column(CodingKeys.destroyedAtMs)
        static let bundle = Column(CodingKeys.bundle)
        static let listPseudonymisedAtMs = Column(CodingKeys.listPseudonymisedAtMs)
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

    enum CodingKeys: String, CodingKey {
        case deploymentID = "deployment_id"
        case nodeID = "node_id"
    }

    enum Columns {
        static let deploymentID = Column(CodingKeys.deploymentID)
        static let nodeID = Column(CodingKeys.nodeID)
    }
}

/// A row of `deployment_subject`: a subject on a deployment's list, as the record keeps it.
struct DeploymentSubjectRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "deployment_subject"
    /// Every column but the reference photo, which only the alert page loads.
    static var databaseSelection: [any SQLSelectable] {
        CodingKeys.allCases.filter { $0 != .referencePhoto }.map { Column($0) }
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

    enum CodingKeys: String, CodingKey, CaseIterable {
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

    enum Columns {
        static let deploymentID = Column(CodingKeys.deploymentID)
        static let subjectID = Column(CodingKeys.subjectID)
        static let overrideBy = Column(CodingKeys.overrideBy)
        static let overrideReason = Column(CodingKeys.overrideReason)
        static let overrideAtMs = Column(CodingKeys.overrideAtMs)
        static let overrideSalt = Column(CodingKeys.overrideSalt)
        static let referencePhoto = Column(CodingKeys.referencePhoto)
        static let displayName = Column(CodingKeys.displayName)
        static let warning = Column(CodingKeys.warning)
    }

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
