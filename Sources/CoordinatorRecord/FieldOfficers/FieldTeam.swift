import Foundation
import GRDB
import Refusals
import Shared

/// The field officers a supervisor puts on a deployment, and the matches sent to them. An
/// operator's `match` on an alert of a live deployment goes to every officer on its team at that
/// moment, in the same transaction as the review (`AlertStore.adjudicate`); a field officer sees
/// an alert only if it was sent to them, and only while its deployment is live.
public enum FieldTeam {
    /// Puts a field officer on a deployment that has not ended; audited.
    public static func assign(
        _ officer: String, to deployment: String, by supervisor: String, in database: CoordinatorDatabase, at now: Date
    ) throws {
        try database.change { db, audit in
            try checkOpen(deployment, db)
            guard let user = try UserRecord.fetchOne(db, key: officer) else {
                throw FieldTeamRefusal(.noSuchUser, officer, "no user \(officer): add them with coordinator users add")
            }
            guard user.role == Role.fieldOfficer.rawValue, user.disabledAtMs == nil else {
                throw FieldTeamRefusal(
                    .notAFieldOfficer, officer,
                    "\(officer) is not an enabled field officer (role \(user.role)): only field officers join a team")
            }
            guard try !isMember(officer, of: deployment, db) else {
                throw FieldTeamRefusal(.alreadyOnTeam, officer, "\(officer) is already on deployment \(deployment)")
            }
            try FieldOfficerRow(
                deploymentID: deployment, officer: officer, assignedBy: supervisor, assignedAtMs: milliseconds(now)
            ).insert(db)
            try audit.append(
                AuditEvent(
                    actor: supervisor, action: .fieldOfficerAssigned, target: deployment, detail: ["officer": officer]),
                at: now)
        }
    }

    /// Takes a field officer off a deployment's team: later matches no longer go to them, and the
    /// alerts already sent stay theirs while the deployment is live. Audited.
    public static func release(
        _ officer: String, from deployment: String, by supervisor: String, in database: CoordinatorDatabase,
        at now: Date
    ) throws {
        try database.change { db, audit in
            guard try FieldOfficerRow.membership(officer, of: deployment).deleteAll(db) > 0 else {
                throw FieldTeamRefusal(.notOnTeam, officer, "\(officer) is not on deployment \(deployment)")
            }
            try audit.append(
                AuditEvent(
                    actor: supervisor, action: .fieldOfficerReleased, target: deployment, detail: ["officer": officer]),
                at: now)
        }
    }

    /// The officers on a deployment's team, by name.
    public static func members(of deployment: String, in database: CoordinatorDatabase) throws -> [String] {
        try database.read { db in
            try FieldOfficerRow.names(of: deployment).fetchAll(db)
        }
    }

    /// The enabled field officers not on a deployment's team, by name: whom a supervisor may add.
    public static func officersNotOn(_ deployment: String, in database: CoordinatorDatabase) throws -> [String] {
        try database.read { db in
            try UserRecord.filter(
                UserRecord.Columns.role == Role.fieldOfficer.rawValue && UserRecord.Columns.disabledAtMs == nil
                    && !FieldOfficerRow.names(of: deployment).contains(UserRecord.Columns.name)
            ).order(UserRecord.Columns.name).select(UserRecord.Columns.name, as: String.self).fetchAll(db)
        }
    }
    /// The alerts sent to an officer on deployments that are live now, newest first.
    public static func alertsSent(to officer: String, in database: CoordinatorDatabase) throws -> [AlertRecord] {
        try database.read { db in
            try AlertRow.filter(
                AlertDispatchRow.alertIDs(sentTo: officer).contains(AlertRow.Columns.id)
                    && DeploymentRow.liveIDs.contains(AlertRow.Columns.deploymentID)
            ).order(AlertRow.Columns.capturedAtMs.desc).limit(200).fetchAll(db).map { try $0.alert() }
        }
    }

    /// An alert sent to this officer on a deployment live now; refused alike when it does not
    /// exist, went to somebody else, or its deployment is no longer live, so that a field officer
    /// learns nothing of alerts not theirs.
    public static func alert(_ id: UUID, sentTo officer: String, in database: CoordinatorDatabase) throws
        -> AlertRecord
    {
        try database.read { db in
            let sent = AlertRow.withID(id).filter(
                AlertDispatchRow.alertIDs(sentTo: officer).contains(AlertRow.Columns.id)
                    && DeploymentRow.liveIDs.contains(AlertRow.Columns.deploymentID))
            guard try !sent.isEmpty(db) else {
                throw FieldTeamRefusal(
                    .notSentToYou, id.uuidString, "alert \(id.uuidString) was not sent to you, or its deployment ended")
            }
            return try AlertStore.load(id, db)
        }
    }

    /// Sends a confirmed match to its deployment's team if the deployment is live, inside the
    /// review's transaction; returns who it went to.
    static func send(_ alert: AlertRecord, at now: Date, _ db: Database, _ audit: inout AuditAppender) throws
        -> [String]
    {
        let officers = try FieldOfficerRow.names(of: alert.deploymentID)
            .filter(DeploymentRow.liveIDs.contains(FieldOfficerRow.Columns.deploymentID)).fetchAll(db)
        for officer in officers {
            try AlertDispatchRow(alertID: alert.id.uuidString, officer: officer, sentAtMs: milliseconds(now)).insert(db)
        }
        if !officers.isEmpty {
            try audit.append(
                AuditEvent(
                    actor: "coordinator", action: .alertSent, target: alert.id.uuidString,
                    detail: ["officers": officers.joined(separator: ",")]), at: now)
        }
        return officers
    }

    private static func isMember(_ officer: String, of deployment: String, _ db: Database) throws -> Bool {
        try !FieldOfficerRow.membership(officer, of: deployment).isEmpty(db)
    }

    private static func checkOpen(_ deployment: String, _ db: Database) throws {
        guard
            let state = try DeploymentRow.filter(key: deployment).select(DeploymentRow.Columns.state, as: String.self)
                .fetchOne(db)
        else {
            throw FieldTeamRefusal(
                .noSuchDeployment, deployment, "no deployment \(deployment): see coordinator deployment list")
        }
        guard ![DeploymentState.ended, .watchlistDestroyed].map(\.rawValue).contains(state) else {
            throw FieldTeamRefusal(
                .deploymentOver, deployment, "deployment \(deployment) has ended: its team is closed")
        }
    }
}

/// Why a change to a deployment's field team, or a field officer's request for an alert, was refused.
public typealias FieldTeamRefusal = Refused<FieldTeamRefusalCode>

public enum FieldTeamRefusalCode: String, RefusalCode {
    case noSuchUser, noSuchDeployment, notOnTeam, notSentToYou
    case notAFieldOfficer
    case alreadyOnTeam, deploymentOver

    public static let area = "field team"
    public var kind: RefusalKind {
        switch self {
        case .noSuchUser, .noSuchDeployment, .notOnTeam, .notSentToYou: .notFound
        case .notAFieldOfficer: .invalid
        case .alreadyOnTeam, .deploymentOver: .conflict
        }
    }
}
