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
            try db.execute(
                sql: """
                    INSERT INTO deployment_field_officer (deployment_id, officer, assigned_by, assigned_at_ms)
                    VALUES (?, ?, ?, ?)
                    """, arguments: [deployment, officer, supervisor, milliseconds(now)])
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
            try db.execute(
                sql: "DELETE FROM deployment_field_officer WHERE deployment_id = ? AND officer = ?",
                arguments: [deployment, officer])
            guard db.changesCount > 0 else {
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
            try String.fetchAll(
                db, sql: "SELECT officer FROM deployment_field_officer WHERE deployment_id = ? ORDER BY officer",
                arguments: [deployment])
        }
    }

    /// The enabled field officers not on a deployment's team, by name: whom a supervisor may add.
    public static func officersNotOn(_ deployment: String, in database: CoordinatorDatabase) throws -> [String] {
        try database.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM user WHERE role = ? AND disabled_at_ms IS NULL
                    AND name NOT IN (SELECT officer FROM deployment_field_officer WHERE deployment_id = ?) ORDER BY name
                    """, arguments: [Role.fieldOfficer.rawValue, deployment])
        }
    }
    /// The alerts sent to an officer on deployments that are live now, newest first.
    public static func alertsSent(to officer: String, in database: CoordinatorDatabase) throws -> [AlertRecord] {
        try database.read { db in
            try AlertRow.filter(
                sql: """
                    id IN (SELECT alert_id FROM alert_dispatch WHERE officer = ?)
                    AND deployment_id IN (SELECT id FROM deployment WHERE state = ?)
                    """, arguments: [officer, DeploymentState.live.rawValue]
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
            let sent =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT 1 FROM alert_dispatch JOIN alert ON alert.id = alert_dispatch.alert_id
                        JOIN deployment ON deployment.id = alert.deployment_id
                        WHERE alert_dispatch.alert_id = ? AND officer = ? AND deployment.state = ?
                        """, arguments: [id.uuidString, officer, DeploymentState.live.rawValue]) ?? false
            guard sent else {
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
        let officers = try String.fetchAll(
            db,
            sql: """
                SELECT officer FROM deployment_field_officer WHERE deployment_id = ?
                AND deployment_id IN (SELECT id FROM deployment WHERE state = ?) ORDER BY officer
                """, arguments: [alert.deploymentID, DeploymentState.live.rawValue])
        for officer in officers {
            try db.execute(
                sql: "INSERT INTO alert_dispatch (alert_id, officer, sent_at_ms) VALUES (?, ?, ?)",
                arguments: [alert.id.uuidString, officer, milliseconds(now)])
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
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM deployment_field_officer WHERE deployment_id = ? AND officer = ?",
            arguments: [deployment, officer]) ?? false
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
