import Foundation
import GRDB
import Shared

/// An alert as the control room sees it, with its adjudication so far.
public struct AlertRecord: Sendable, Equatable {
    public var id: UUID
    public var deploymentID: String
    public var nodeID: String
    public var cameraID: String
    /// Nil once purged (with the score, quality and crop).
    public var subject: String?
    public var score: Double?
    public var distance: Double?
    public var quality: [Float]?
    /// How many of its track's frames the match rests on; nil when the node did not say.
    public var trackFrames: Int?
    public var capturedAt: Date
    public var receivedAt: Date
    public var review: ReviewDecision?
    public var reviewBy: String?
    public var reviewAt: Date?
    public var reviewNote: String?
    public var outcome: FieldOutcome?
    public var action: FieldAction?
    public var outcomeBy: String?
    public var outcomeAt: Date?
    public var outcomeNote: String?
    public var caseReference: String?
    public var caseReason: String?
    public var purgedAt: Date?

    var adjudication: AdjudicationState {
        AdjudicationState(
            review: review, reviewBy: reviewBy, reviewAt: reviewAt, outcome: outcome, outcomeBy: outcomeBy,
            caseReference: caseReference, purgedAt: purgedAt)
    }
}

/// The coordinator's alerts, stored idempotently by alert id (promise 3: a resent alert is
/// acknowledged again but stored once) and attributed to the node whose key sent it; then
/// adjudicated in two stages, each step audited with the change.
public final class AlertStore: Sendable {
    public let database: CoordinatorDatabase

    public init(database: CoordinatorDatabase) { self.database = database }

    /// How far a node's clock may run ahead of the coordinator's when an alert is checked against
    /// its deployment's end.
    public static let clockSkewAllowance: TimeInterval = 120

    /// Stores an alert from an authenticated node unless its id is already stored; true when new.
    /// The audit entry names the alert, its deployment and camera, and commits to its subject and
    /// score without holding them (`AlertCommitment`), so that a purge leaves neither anywhere.
    ///
    /// An alert is refused (`AlertRefusal`, audited as `alert.refused`, nothing stored) unless it
    /// names a deployment on the record that this node is on and that has started, captured no
    /// later than its end; or, for a node no deployment assigns, the config file's standing list's
    /// deployment (`standingDeployment`).
    @discardableResult
    public func store(
        _ a: WireMessage.AlertMessage, from node: EnrolledNode, receivedAt: Date, standingDeployment: String? = nil
    ) throws -> Bool {
        let quality = a.quality.withUnsafeBytes { Data($0) }
        let salt = AlertCommitment.newSalt()
        let outcome = try database.change { db, audit -> Result<Bool, AlertRefusal> in
            if let refusal = try Self.refusal(of: a, from: node, standingDeployment: standingDeployment, db) {
                try audit.append(
                    AuditEvent(
                        actor: "node:\(node.nodeID)", action: .alertRefused, target: a.alertID.uuidString,
                        detail: [
                            "deployment": CSVTable.shortened(a.deploymentID), "camera": node.cameraID,
                            "reason": refusal.reason,
                        ]), at: receivedAt)
                return .failure(refusal)
            }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO alert (id, node_id, node_key, camera_id, deployment_id, watchlist_version,
                    subject, score, distance,
                                                 captured_at_ms, track, track_frames, quality, crop, received_at_ms,
                                                 commitment_salt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    a.alertID.uuidString, node.nodeID, node.publicKey, node.cameraID, a.deploymentID,
                    Int64(clamping: a.watchlistVersion),
                    a.subject, Double(a.score), Double(a.distance), a.capturedAtMilliseconds, Int64(clamping: a.track),
                    a.trackFrames == 0 ? nil : Int64(a.trackFrames), quality,
                    Data(a.cropJPEG), milliseconds(receivedAt), Data(salt),
                ])
            guard db.changesCount > 0 else { return .success(false) }
            try audit.append(
                AuditEvent(
                    actor: "node:\(node.nodeID)", action: .alertReceived, target: a.alertID.uuidString,
                    detail: [
                        "deployment": a.deploymentID, "camera": node.cameraID,
                        "watchlist_version": "\(a.watchlistVersion)",
                        "commitment": AlertCommitment.commitment(
                            salt: salt, subject: a.subject, score: Double(a.score)),
                    ]), at: receivedAt)
            return .success(true)
        }
        return try outcome.get()
    }

    private static func refusal(
        of a: WireMessage.AlertMessage, from node: EnrolledNode, standingDeployment: String?, _ db: Database
    ) throws -> AlertRefusal? {
        // A resend of an alert already stored is acknowledged again, whatever has happened since.
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM alert WHERE id = ?", arguments: [a.alertID.uuidString]) ?? false {
            return nil
        }
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT started_at_ms, ended_at_ms FROM deployment WHERE id = ?", arguments: [a.deploymentID])
        else {
            return a.deploymentID == standingDeployment
                ? nil : AlertRefusal(reason: "no deployment of that id is on the record")
        }
        guard
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM deployment_node WHERE deployment_id = ? AND node_id = ?",
                arguments: [a.deploymentID, node.nodeID]) ?? false
        else {
            return AlertRefusal(reason: "the node is not on that deployment")
        }
        guard (row["started_at_ms"] as Int64?) != nil else {
            return AlertRefusal(reason: "the deployment has not started")
        }
        if let ended = row["ended_at_ms"] as Int64?, a.capturedAtMilliseconds > ended + Int64(clockSkewAllowance * 1000)
        {
            return AlertRefusal(reason: "captured after the deployment ended")
        }
        return nil
    }

    /// The salt of a kept alert's commitment; nil once purged (or for alerts stored before commitments).
    public func commitmentSalt(_ id: UUID) throws -> [UInt8]? {
        try database.read { db in
            try Data.fetchOne(db, sql: "SELECT commitment_salt FROM alert WHERE id = ?", arguments: [id.uuidString]).map
            { Array($0) }
        }
    }

    public var count: Int {
        get throws { try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM alert") ?? 0 } }
    }

    public func ids() throws -> Set<UUID> {
        try database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT id FROM alert").compactMap(UUID.init(uuidString:)))
        }
    }

    /// Alerts newest first; `awaiting` keeps those still missing a stage.
    public func list(deployment: String? = nil, awaitingAdjudication: Bool = false, limit: Int = 500) throws
        -> [AlertRecord]
    {
        try database.read { db in
            var conditions: [String] = [], arguments: [DatabaseValueConvertible] = []
            if let deployment {
                conditions.append("deployment_id = ?")
                arguments.append(deployment)
            }
            if awaitingAdjudication {
                conditions.append(
                    "purged_at_ms IS NULL AND (review IS NULL OR (review != 'no match' AND outcome IS NULL))")
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(limit)
            // Newest first along the time indexes (their entries end in the rowid), without the crops.
            return try Row.fetchAll(
                db,
                sql: "SELECT \(Self.listColumns) FROM alert \(filter) ORDER BY received_at_ms DESC, rowid DESC LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(Self.record)
        }
    }

    public func show(_ id: UUID) throws -> AlertRecord {
        try database.read { db in try Self.load(id, db) }
    }

    /// The probe crop, while the alert is kept.
    public func crop(_ id: UUID) throws -> [UInt8]? {
        try database.read { db in
            try Data.fetchOne(db, sql: "SELECT crop FROM alert WHERE id = ?", arguments: [id.uuidString]).map {
                [UInt8]($0)
            }
        }
    }

    /// Records one adjudication step, attributed and timed, with its audit entry; refused steps write nothing.
    public func adjudicate(_ id: UUID, _ step: AdjudicationStep, by user: String, at now: Date) throws {
        try database.change { db, audit in
            let alert = try Self.load(id, db)
            try alert.adjudication.check(step, by: user)
            let ms = milliseconds(now)
            let event: AuditEvent
            switch step {
            case .review(let decision, let note):
                try db.execute(
                    sql: "UPDATE alert SET review = ?, review_by = ?, review_at_ms = ?, review_note = ? WHERE id = ?",
                    arguments: [decision.rawValue, user, ms, note, id.uuidString])
                event = AuditEvent(
                    actor: user, action: .alertReviewed, target: id.uuidString,
                    detail: [
                        "decision": decision.rawValue, "seconds_since_capture": Self.seconds(alert.capturedAt, now),
                    ])
            case .outcome(let outcome, let action, let note):
                try db.execute(
                    sql: """
                        UPDATE alert SET outcome = ?, outcome_action = ?, outcome_note = ?, outcome_by = ?,
                        outcome_at_ms = ? WHERE id = ?
                        """, arguments: [outcome.rawValue, action.rawValue, note, user, ms, id.uuidString])
                event = AuditEvent(
                    actor: user, action: .alertOutcome, target: id.uuidString,
                    detail: [
                        "outcome": outcome.rawValue, "action": action.rawValue,
                        "seconds_since_capture": Self.seconds(alert.capturedAt, now),
                    ])
            case .markForCase(let reference, let reason):
                try db.execute(
                    sql: "UPDATE alert SET case_reference = ?, case_reason = ?, case_by = ? WHERE id = ?",
                    arguments: [reference, reason, user, id.uuidString])
                event = AuditEvent(
                    actor: user, action: .alertCaseMarked, target: id.uuidString,
                    detail: ["case": reference, "reason": reason])
            case .unmarkCase(let reason):
                try db.execute(
                    sql: "UPDATE alert SET case_reference = NULL, case_reason = NULL, case_by = NULL WHERE id = ?",
                    arguments: [id.uuidString])
                event = AuditEvent(
                    actor: user, action: .alertCaseUnmarked, target: id.uuidString,
                    detail: ["case": alert.caseReference ?? "", "reason": reason])
            }
            try audit.append(event, at: now)
        }
    }

    /// Every column but the crop, which only the alert page loads (`crop(_:)`).
    static let listColumns = """
        id, node_id, camera_id, deployment_id, subject, score, distance, quality, track_frames, captured_at_ms,
        received_at_ms, review, review_by,
        review_at_ms, review_note, outcome, outcome_action, outcome_by, outcome_at_ms, outcome_note, case_reference,
        case_reason, purged_at_ms
        """

    private static func seconds(_ from: Date, _ to: Date) -> String {
        String(format: "%.1f", to.timeIntervalSince(from))
    }

    static func load(_ id: UUID, _ db: Database) throws -> AlertRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM alert WHERE id = ?", arguments: [id.uuidString]) else {
            throw AdjudicationError(
                .alertNotFound, "no alert \(id.uuidString): check the id with coordinator alerts list")
        }
        return try record(row)
    }

    static func record(_ row: Row) throws -> AlertRecord {
        let stored: String = row["id"]
        guard let id = UUID(uuidString: stored) else {
            throw DamagedRow(
                table: "alert", column: "id",
                key:
                    "from node \(row["node_id"] as String? ?? "?") received at \(row["received_at_ms"] as Int64? ?? 0) ms",
                value: stored)
        }
        let time = { (column: String) in (row[column] as Int64?).map(date(milliseconds:)) }
        let quality = (row["quality"] as Data?).map { data in
            data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        return AlertRecord(
            id: id, deploymentID: row["deployment_id"], nodeID: row["node_id"], cameraID: row["camera_id"],
            subject: row["subject"], score: row["score"], distance: row["distance"], quality: quality,
            trackFrames: row["track_frames"],
            capturedAt: date(milliseconds: row["captured_at_ms"]),
            receivedAt: date(milliseconds: row["received_at_ms"]),
            review: (row["review"] as String?).flatMap(ReviewDecision.init(rawValue:)), reviewBy: row["review_by"],
            reviewAt: time("review_at_ms"),
            reviewNote: row["review_note"], outcome: (row["outcome"] as String?).flatMap(FieldOutcome.init(rawValue:)),
            action: (row["outcome_action"] as String?).flatMap(FieldAction.init(rawValue:)),
            outcomeBy: row["outcome_by"],
            outcomeAt: time("outcome_at_ms"), outcomeNote: row["outcome_note"], caseReference: row["case_reference"],
            caseReason: row["case_reason"], purgedAt: time("purged_at_ms"))
    }
}

/// An alert the record does not take: its deployment is not one the sending node may match for.
/// The node is acknowledged (so that it deletes the alert) and the refusal is audited.
public struct AlertRefusal: Error, CustomStringConvertible, Equatable {
    public let reason: String
    public var description: String { "alert refused: \(reason)" }
}
