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
    /// What was recorded about the person stopped, if anyone was (empty otherwise).
    public var stop = StopRecord()

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
            try AlertRow(
                id: a.alertID.uuidString, nodeID: node.nodeID, nodeKey: node.publicKey, cameraID: node.cameraID,
                deploymentID: a.deploymentID, watchlistVersion: Int64(clamping: a.watchlistVersion), subject: a.subject,
                score: Double(a.score), distance: Double(a.distance), capturedAtMs: a.capturedAtMilliseconds,
                track: Int64(clamping: a.track), trackFrames: a.trackFrames == 0 ? nil : Int(a.trackFrames),
                quality: quality, crop: Data(a.cropJPEG), receivedAtMs: milliseconds(receivedAt),
                commitmentSalt: Data(salt)
            ).insert(db)
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
        if try AlertRow.exists(db, key: a.alertID.uuidString) { return nil }
        guard
            let deployment = try DeploymentRow.filter(key: a.deploymentID)
                .select(DeploymentRow.Columns.startedAtMs, DeploymentRow.Columns.endedAtMs).asRequest(of: Row.self)
                .fetchOne(db)
        else {
            return a.deploymentID == standingDeployment
                ? nil : AlertRefusal(reason: "no deployment of that id is on the record")
        }
        guard try DeploymentNodeRow.exists(db, key: ["deployment_id": a.deploymentID, "node_id": node.nodeID]) else {
            return AlertRefusal(reason: "the node is not on that deployment")
        }
        let started: Int64? = deployment[DeploymentRow.Columns.startedAtMs.name]
        let ended: Int64? = deployment[DeploymentRow.Columns.endedAtMs.name]
        guard started != nil else { return AlertRefusal(reason: "the deployment has not started") }
        if let ended, a.capturedAtMilliseconds > ended + Int64(clockSkewAllowance * 1000) {
            return AlertRefusal(reason: "captured after the deployment ended")
        }
        return nil
    }

    /// The salt of a kept alert's commitment; nil once purged (or for alerts stored before commitments).
    public func commitmentSalt(_ id: UUID) throws -> [UInt8]? {
        try database.read { db in
            try AlertRow.withID(id).select(AlertRow.Columns.commitmentSalt, as: Data.self).fetchOne(db).map {
                Array($0)
            }
        }
    }

    public var count: Int {
        get throws { try database.read { try AlertRow.fetchCount($0) } }
    }

    public func ids() throws -> Set<UUID> {
        try database.read { db in
            Set(
                try AlertRow.select(AlertRow.Columns.id, as: String.self).fetchAll(db).compactMap(
                    UUID.init(uuidString:)))
        }
    }

    /// Alerts newest first; `awaiting` keeps those still missing a stage.
    public func list(deployment: String? = nil, awaitingAdjudication: Bool = false, limit: Int = 500) throws
        -> [AlertRecord]
    {
        try database.read { db in
            var request = AlertRow.all()
            if let deployment { request = request.filter(AlertRow.Columns.deploymentID == deployment) }
            if awaitingAdjudication {
                let review = AlertRow.Columns.review
                request = request.filter(
                    AlertRow.Columns.purgedAtMs == nil
                        && (review == nil
                            || (review != ReviewDecision.noMatch.rawValue && AlertRow.Columns.outcome == nil))
                )
            }
            // Newest first along the time indexes (their entries end in the rowid), without the crops.
            return try request.order(AlertRow.Columns.receivedAtMs.desc, Column.rowID.desc).limit(limit).fetchAll(db)
                .map { try $0.alert() }
        }
    }

    /// The alert waiting longest for the operator's review (oldest capture first), if any.
    public func oldestAwaitingReview() throws -> UUID? {
        try database.read { db in
            try AlertRow.filter(AlertRow.Columns.review == nil && AlertRow.Columns.purgedAtMs == nil)
                .order(AlertRow.Columns.capturedAtMs, Column.rowID).select(AlertRow.Columns.id, as: String.self)
                .fetchOne(db).flatMap(UUID.init(uuidString:))
        }
    }

    public func show(_ id: UUID) throws -> AlertRecord {
        try database.read { db in try Self.load(id, db) }
    }

    /// The probe crop, while the alert is kept.
    public func crop(_ id: UUID) throws -> [UInt8]? {
        try database.read { db in
            try AlertRow.withID(id).select(AlertRow.Columns.crop, as: Data.self).fetchOne(db).map { [UInt8]($0) }
        }
    }

    /// Records one adjudication step, attributed and timed, with its audit entry; refused steps
    /// write nothing. An operator's `match` on a live deployment goes to its field team in the
    /// same transaction; returns the officers it went to.
    @discardableResult
    public func adjudicate(_ id: UUID, _ step: AdjudicationStep, by user: String, at now: Date) throws -> [String] {
        try database.change { db, audit in
            let alert = try Self.load(id, db)
            try alert.adjudication.check(step, by: user)
            let ms = milliseconds(now)
            let event: AuditEvent
            switch step {
            case .review(let decision, let note):
                try AlertRow.withID(id).updateAll(
                    db, AlertRow.Columns.review.set(to: decision.rawValue), AlertRow.Columns.reviewBy.set(to: user),
                    AlertRow.Columns.reviewAtMs.set(to: ms), AlertRow.Columns.reviewNote.set(to: note))
                event = AuditEvent(
                    actor: user, action: .alertReviewed, target: id.uuidString,
                    detail: [
                        "decision": decision.rawValue, "seconds_since_capture": Self.seconds(alert.capturedAt, now),
                    ])
                if decision == .match {
                    try audit.append(event, at: now)
                    return try FieldTeam.send(alert, at: now, db, &audit)
                }
            case .outcome(let outcome, let action, let note, let stop):
                try AlertRow.withID(id).updateAll(
                    db, AlertRow.Columns.outcome.set(to: outcome.rawValue),
                    AlertRow.Columns.outcomeAction.set(to: action.rawValue), AlertRow.Columns.outcomeNote.set(to: note),
                    AlertRow.Columns.outcomeBy.set(to: user), AlertRow.Columns.outcomeAtMs.set(to: ms),
                    AlertRow.Columns.stopEthnicity.set(to: stop.ethnicity?.rawValue),
                    AlertRow.Columns.stopSex.set(to: stop.sex?.rawValue),
                    AlertRow.Columns.stopMinutes.set(to: stop.minutes))
                // The stop's groups stay out of the append-only log: the report counts them from the alert.
                event = AuditEvent(
                    actor: user, action: .alertOutcome, target: id.uuidString,
                    detail: [
                        "outcome": outcome.rawValue, "action": action.rawValue,
                        "seconds_since_capture": Self.seconds(alert.capturedAt, now),
                    ])
            case .markForCase(let reference, let reason):
                try AlertRow.withID(id).updateAll(
                    db, AlertRow.Columns.caseReference.set(to: reference), AlertRow.Columns.caseReason.set(to: reason),
                    AlertRow.Columns.caseBy.set(to: user))
                event = AuditEvent(
                    actor: user, action: .alertCaseMarked, target: id.uuidString,
                    detail: ["case": reference, "reason": reason])
            case .unmarkCase(let reason):
                try AlertRow.withID(id).updateAll(
                    db, AlertRow.Columns.caseReference.set(to: nil), AlertRow.Columns.caseReason.set(to: nil),
                    AlertRow.Columns.caseBy.set(to: nil))
                event = AuditEvent(
                    actor: user, action: .alertCaseUnmarked, target: id.uuidString,
                    detail: ["case": alert.caseReference ?? "", "reason": reason])
            }
            try audit.append(event, at: now)
            return []
        }
    }

    private static func seconds(_ from: Date, _ to: Date) -> String {
        String(format: "%.1f", to.timeIntervalSince(from))
    }

    static func load(_ id: UUID, _ db: Database) throws -> AlertRecord {
        guard let row = try AlertRow.fetchOne(db, key: id.uuidString) else {
            throw AdjudicationError(
                .alertNotFound, "no alert \(id.uuidString): check the id with coordinator alerts list")
        }
        return try row.alert()
    }
}

/// An alert the record does not take: its deployment is not one the sending node may match for.
/// The node is acknowledged (so that it deletes the alert) and the refusal is audited.
public struct AlertRefusal: Error, CustomStringConvertible, Equatable {
    public let reason: String
    public var description: String { "alert refused: \(reason)" }
}
