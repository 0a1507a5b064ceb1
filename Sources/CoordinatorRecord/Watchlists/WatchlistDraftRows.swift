import FaceTemplates
import Foundation
import GRDB

/// A row of `watchlist_draft`: a list uploaded in the control room, its binding, its build and
/// the built (unsigned) bundle. The column names live here once.
struct WatchlistDraftRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "watchlist_draft"
    /// Every column but the bundle, which only signing and planning read.
    static var databaseSelection: [any SQLSelectable] {
        CodingKeys.allCases.filter { $0 != .bundle }
    }

    var id: String
    var deploymentID: String
    var watchlistID: String
    var version: Int64
    var notBeforeMs: Int64?
    var expiresAtMs: Int64
    var threshold: Double?
    var faceChoice: String
    var photos: String
    var state: String
    var failure: String?
    var manifestName: String
    var createdBy: String
    var createdAtMs: Int64
    var builtAtMs: Int64?
    var builtSubjects: Int?
    var builtTemplates: Int?
    var builtCohortFaces: Int?
    var builtThreshold: Double?
    var bundle: Data?

    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case id
        case deploymentID = "deployment_id"
        case watchlistID = "watchlist_id"
        case version
        case notBeforeMs = "not_before_ms"
        case expiresAtMs = "expires_at_ms"
        case threshold
        case faceChoice = "face_choice"
        case photos, state, failure
        case manifestName = "manifest_name"
        case createdBy = "created_by"
        case createdAtMs = "created_at_ms"
        case builtAtMs = "built_at_ms"
        case builtSubjects = "built_subjects"
        case builtTemplates = "built_templates"
        case builtCohortFaces = "built_cohort_faces"
        case builtThreshold = "built_threshold"
        case bundle
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    /// The stored bundle of a draft, nil before a build.
    static func bundle(of id: String, _ db: Database) throws -> Data? {
        try filter(key: id).select(Columns.bundle, as: Data.self).fetchOne(db)
    }

    static func inState(_ state: WatchlistDraftState) -> QueryInterfaceRequest<WatchlistDraftRow> {
        filter(Columns.state == state.rawValue)
    }
}

/// A row of `watchlist_draft_subject`: one manifest row of a draft.
struct WatchlistDraftSubjectRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "watchlist_draft_subject"

    var draftID: String
    var subjectID: String
    var line: Int
    var displayName: String
    var category: String
    var reason: String
    var warning: String?
    var imageSource: String
    var legalBasis: String?
    var under18: Bool?
    /// Nil until built; false when no photo could be enrolled.
    var enrolled: Bool?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case draftID = "draft_id"
        case subjectID = "subject_id"
        case line
        case displayName = "display_name"
        case category, reason, warning
        case imageSource = "image_source"
        case legalBasis = "legal_basis"
        case under18 = "under_18"
        case enrolled
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys
}

/// A row of `watchlist_draft_photo`: an uploaded photo of a subject, with why enrolment refused it.
struct WatchlistDraftPhotoRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "watchlist_draft_photo"
    /// Every column but the photo's bytes, which only the photo route and the build read.
    static var databaseSelection: [any SQLSelectable] { CodingKeys.allCases.filter { $0 != .photo } }

    var draftID: String
    var subjectID: String
    var position: Int
    var fileName: String
    var photo: Data?
    var refusal: String?
    /// `x y width height` of the subject's face in a photo of several; nil: none marked.
    var faceBox: String?
    /// The faces the last build found in a photo it refused for holding several, as
    /// `x y width height` separated by `;`; nil otherwise.
    var facesFound: String?

    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case draftID = "draft_id"
        case subjectID = "subject_id"
        case position
        case fileName = "file_name"
        case photo, refusal
        case faceBox = "face_box"
        case facesFound = "faces_found"
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    /// The faces found, as marks.
    var faces: [FaceMark] { (facesFound ?? "").split(separator: ";").compactMap { FaceMark(text: String($0)) } }

    /// One photo's bytes.
    static func bytes(draft: String, subject: String, position: Int, _ db: Database) throws -> Data? {
        try filter(key: ["draft_id": draft, "subject_id": subject, "position": position])
            .select(Columns.photo, as: Data.self).fetchOne(db)
    }
}

/// A row of `watchlist_draft_signature`: a valid signature on the built bundle by a trusted key.
struct WatchlistDraftSignatureRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "watchlist_draft_signature"

    var draftID: String
    var keyID: String
    var publicKey: Data
    var signature: Data
    var uploadedBy: String
    var uploadedAtMs: Int64

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case draftID = "draft_id"
        case keyID = "key_id"
        case publicKey = "public_key"
        case signature
        case uploadedBy = "uploaded_by"
        case uploadedAtMs = "uploaded_at_ms"
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    /// A draft's signatures in the order they were taken.
    static func of(_ draft: String) -> QueryInterfaceRequest<WatchlistDraftSignatureRow> {
        filter(Columns.draftID == draft).order(Columns.uploadedAtMs, Columns.keyID)
    }
}
