import Foundation
import GRDB

/// A row of the `alert` table, as GRDB reads and writes it: the column names live here once.
/// The personal fields (subject, score, distance, quality, crop) are nil once purged.
struct AlertRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "alert"
    /// A resend of an alert already stored changes nothing.
    static let persistenceConflictPolicy = PersistenceConflictPolicy(insert: .ignore, update: .abort)
    /// Every column but the crop, which only the alert page loads (`AlertStore.crop`).
    static var databaseSelection: [any SQLSelectable] { CodingKeys.allCases.filter { $0 != .crop } }

    var id: String
    var nodeID: String
    var nodeKey: String?
    var cameraID: String
    var deploymentID: String
    var watchlistVersion: Int64
    var subject: String?
    var score: Double?
    var distance: Double?
    var capturedAtMs: Int64
    var track: Int64
    var trackFrames: Int?
    /// The seven quality figures as 32-bit floats.
    var quality: Data?
    var crop: Data?
    var receivedAtMs: Int64
    var review: String?
    var reviewBy: String?
    var reviewAtMs: Int64?
    var reviewNote: String?
    var outcome: String?
    var outcomeAction: String?
    var outcomeNote: String?
    var outcomeBy: String?
    var outcomeAtMs: Int64?
    var caseReference: String?
    var caseReason: String?
    var caseBy: String?
    var purgedAtMs: Int64?
    var commitmentSalt: Data?
    var stopEthnicity: String?
    var stopSex: String?
    var stopMinutes: Int?

    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case id
        case nodeID = "node_id"
        case nodeKey = "node_key"
        case cameraID = "camera_id"
        case deploymentID = "deployment_id"
        case watchlistVersion = "watchlist_version"
        case subject, score, distance
        case capturedAtMs = "captured_at_ms"
        case track
        case trackFrames = "track_frames"
        case quality, crop
        case receivedAtMs = "received_at_ms"
        case review
        case reviewBy = "review_by"
        case reviewAtMs = "review_at_ms"
        case reviewNote = "review_note"
        case outcome
        case outcomeAction = "outcome_action"
        case outcomeNote = "outcome_note"
        case outcomeBy = "outcome_by"
        case outcomeAtMs = "outcome_at_ms"
        case caseReference = "case_reference"
        case caseReason = "case_reason"
        case caseBy = "case_by"
        case purgedAtMs = "purged_at_ms"
        case commitmentSalt = "commitment_salt"
        case stopEthnicity = "stop_ethnicity"
        case stopSex = "stop_sex"
        case stopMinutes = "stop_minutes"
    }

    /// The columns, for queries: the coding keys are GRDB column expressions.
    typealias Columns = CodingKeys

    static func withID(_ id: UUID) -> QueryInterfaceRequest<AlertRow> { filter(key: id.uuidString) }

    /// The alert as the rest of Watchpost sees it; an id that is no UUID is a damaged row, named by
    /// its node and time of receipt (never by its subject).
    func alert() throws -> AlertRecord {
        guard let uuid = UUID(uuidString: id) else {
            throw DamagedRow(
                table: Self.databaseTableName, column: CodingKeys.id.rawValue,
                key: "from node \(nodeID) received at \(receivedAtMs) ms", value: id)
        }
        return AlertRecord(
            id: uuid, deploymentID: deploymentID, nodeID: nodeID, cameraID: cameraID, subject: subject, score: score,
            distance: distance,
            quality: quality.map { data in data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } },
            trackFrames: trackFrames, capturedAt: date(milliseconds: capturedAtMs),
            receivedAt: date(milliseconds: receivedAtMs), review: try review.map { try known($0, .review) },
            reviewBy: reviewBy, reviewAt: reviewAtMs.map(date(milliseconds:)), reviewNote: reviewNote,
            outcome: try outcome.map { try known($0, .outcome) },
            action: try outcomeAction.map { try known($0, .outcomeAction) }, outcomeBy: outcomeBy,
            outcomeAt: outcomeAtMs.map(date(milliseconds:)), outcomeNote: outcomeNote, caseReference: caseReference,
            caseReason: caseReason, purgedAt: purgedAtMs.map(date(milliseconds:)),
            stop: StopRecord(
                ethnicity: try stopEthnicity.map { try known($0, .stopEthnicity) },
                sex: try stopSex.map { try known($0, .stopSex) }, minutes: stopMinutes))
    }

    /// A recorded value of one of the record's own vocabularies; any other is a damaged row.
    private func known<Value: RawRepresentable<String>>(_ text: String, _ column: CodingKeys) throws -> Value {
        try DamagedRow.known(
            text, table: Self.databaseTableName, column: column.rawValue,
            key: "from node \(nodeID) received at \(receivedAtMs) ms")
    }
}
