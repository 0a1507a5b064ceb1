import Foundation
import GRDB
import Logging
import Refusals
import Shared

/// The coordinator's one database: alerts, nodes, deployments, adjudication and the audit chain in
/// a single SQLite file (WAL, 0600, secure delete) with one numbered migrator. `coordinator serve`
/// and the command-line tools open the same file; every change is written together with its audit
/// entry in one transaction (`change`), so that neither exists without the other.
public final class CoordinatorDatabase: Sendable {
    public static let fileName = "coordinator.sqlite"
    /// The file of the alert store before this database (its first migration), adopted in place.
    static let alertStoreFileName = "alerts.sqlite"

    public let path: String
    let pool: DatabasePool

    public init(stateDirectory: String) throws {
        path = stateDirectory + "/" + Self.fileName
        try Self.adoptAlertStore(in: stateDirectory, as: path)
        try PrivateFile.createIfMissing(path)
        var configuration = Configuration()
        // Freed pages (purged crops, deleted rows) are overwritten with zeros, not left in the file.
        // A checkpointed WAL is cut back to nothing rather than kept at its largest size with old pages in it.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON; PRAGMA journal_size_limit = 0")
        }
        // The CLI and the server write the same file: wait for the other's transaction instead of failing.
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw RecordUnavailable(path: path, reason: "\(error)")
        }
    }

    /// Writes `body`'s change and its audit entries in one transaction: both or neither.
    @discardableResult
    public func change<T>(_ body: (Database, inout AuditAppender) throws -> T) throws -> T {
        try pool.write { db in
            var audit = try AuditAppender(db)
            return try body(db, &audit)
        }
    }

    /// A `change` that destroys data about people (a discarded list, a purge): after it commits, the
    /// write-ahead log is truncated, so that the deleted rows' old pages do not outlive them there.
    @discardableResult
    public func destroy<T>(_ body: (Database, inout AuditAppender) throws -> T) throws -> T {
        let result = try change(body)
        try truncateLog()
        return result
    }

    /// Appends one entry on its own, for events that change nothing else (a refusal, a push); a
    /// failure is logged and the caller goes on.
    public func audit(_ event: AuditEvent, at now: Date, logger: Logger) {
        do { try change { _, audit in try audit.append(event, at: now) } } catch {
            logger.error(
                "audit entry not written", metadata: ["action": "\(event.action.rawValue)", "error": "\(error)"])
        }
    }

    public func read<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }

    /// Moves the crops of purged rows out of the write-ahead log into the (secure-deleted) main file.
    public func truncateLog() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// An older state folder has `alerts.sqlite` (with its WAL): it becomes this database, and its
    /// migrations run on it in place.
    private static func adoptAlertStore(in folder: String, as path: String) throws {
        let old = folder + "/" + alertStoreFileName
        let files = FileManager.default
        guard !files.fileExists(atPath: path), files.fileExists(atPath: old) else { return }
        for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: old + suffix) {
            try files.moveItem(atPath: old + suffix, toPath: path + suffix)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // The alert store as it shipped before the record: its name is what existing files carry.
        migrator.registerMigration("v1 alerts") { db in
            try db.create(table: "alert") { t in
                t.primaryKey("id", .text)
                t.column("node_id", .text).notNull()
                t.column("camera_id", .text).notNull()
                t.column("deployment_id", .text).notNull()
                t.column("watchlist_version", .integer).notNull()
                t.column("subject", .text).notNull()
                t.column("score", .double).notNull()
                t.column("distance", .double).notNull()
                t.column("captured_at_ms", .integer).notNull()
                t.column("track", .integer).notNull()
                t.column("quality", .blob).notNull()
                t.column("crop", .blob).notNull()
                t.column("received_at_ms", .integer).notNull()
            }
        }
        migrator.registerMigration("v2 deployment record") { db in
            try RecordSchema.createV2(db)
        }
        migrator.registerMigration("v3 users and sessions") { db in
            try RecordSchema.createV3(db)
        }
        migrator.registerMigration("v4 reference photos") { db in
            // The photo the operator compares the probe with; destroyed with the deployment's bundle.
            try db.alter(table: "deployment_subject") { t in t.add(column: "reference_photo", .blob) }
        }
        migrator.registerMigration("v5 watchlist drafts") { db in
            try RecordSchema.createV5(db)
        }
        migrator.registerMigration("v6 alert track frames") { db in
            // NULL for alerts stored before, or sent by protocol 1 nodes: not said.
            try db.alter(table: "alert") { t in t.add(column: "track_frames", .integer) }
        }
        migrator.registerMigration("v7 marked faces") { db in
            // `x y width height` of the subject's face in an uploaded photo that holds several; NULL: none marked.
            try db.alter(table: "watchlist_draft_photo") { t in t.add(column: "face_box", .text) }
        }
        migrator.registerMigration("v8 fused photos") { db in
            try db.alter(table: "watchlist_draft") { t in
                t.add(column: "photos", .text).notNull().defaults(to: "separate")
            }
        }
        migrator.registerMigration("v9 how lists were made") { db in
            // In words, from the bundle (format 5 on), so they outlive its destruction; NULL: not recorded.
            try db.alter(table: "deployment") { t in
                t.add(column: "enrolment", .text)
                t.add(column: "cohort", .text)
            }
        }
        migrator.registerMigration("v10 alert commitments") { db in
            // The salt of the audit entry's commitment to subject and score; cleared by the purge. NULL before v10.
            try db.alter(table: "alert") { t in t.add(column: "commitment_salt", .blob) }
        }
        migrator.registerMigration("v11 witness receipts") { db in
            // Each node's signed word that it keeps a checkpoint; the checkpoints themselves are on the nodes.
            try db.create(table: "audit_witness_receipt") { t in
                t.column("node_id", .text).notNull()
                t.column("entries", .integer).notNull()
                t.column("head_sha256", .text).notNull()
                t.column("witness_key", .text).notNull()
                t.column("signature", .text).notNull()
                t.column("received_at_ms", .integer).notNull()
                t.primaryKey(["node_id", "entries"])
            }
        }
        migrator.registerMigration("v12 lists outlive no one") { db in
            // The salt of the minor-override entry's commitment to the subject; cleared with the subject ids.
            try db.alter(table: "deployment_subject") { t in t.add(column: "override_salt", .blob) }
            // When the list's subject ids were replaced by ordinals (bundle destroyed, alerts purged).
            try db.alter(table: "deployment") { t in t.add(column: "list_pseudonymised_at_ms", .integer) }
        }
        migrator.registerMigration("v13 who was matched") { db in
            // What the operator needs to send an officer: the subject's name and any officer-safety
            // warning, from the manifest. Kept while the coordinator holds the bundle, cleared with it.
            try db.alter(table: "deployment_subject") { t in
                t.add(column: "display_name", .text)
                t.add(column: "warning", .text)
            }
            try db.alter(table: "watchlist_draft_subject") { t in t.add(column: "warning", .text) }
        }
        migrator.registerMigration("v14 review queue") { db in
            // The operator's queue, oldest first, without reading the alerts already decided.
            try db.create(
                index: "alert_awaiting_review", on: "alert", columns: ["captured_at_ms"],
                condition: Column("review") == nil && Column("purged_at_ms") == nil)
        }
        migrator.registerMigration("v15 stops and field officers") { db in
            // What a force records about a person stopped (each optional), for equality monitoring.
            try db.alter(table: "alert") { t in
                t.add(column: "stop_ethnicity", .text)
                t.add(column: "stop_sex", .text)
                t.add(column: "stop_minutes", .integer)
            }
            // The field officers a supervisor puts on a deployment, and which matches went to whom.
            try db.create(table: "deployment_field_officer") { t in
                t.column("deployment_id", .text).notNull().references("deployment")
                t.column("officer", .text).notNull()
                t.column("assigned_by", .text).notNull()
                t.column("assigned_at_ms", .integer).notNull()
                t.primaryKey(["deployment_id", "officer"])
            }
            try db.create(table: "alert_dispatch") { t in
                t.column("alert_id", .text).notNull().references("alert")
                t.column("officer", .text).notNull()
                t.column("sent_at_ms", .integer).notNull()
                t.primaryKey(["alert_id", "officer"])
            }
            try db.create(index: "alert_dispatch_officer", on: "alert_dispatch", columns: ["officer", "sent_at_ms"])
        }
        migrator.registerMigration("v16 alert tallies") { db in
            // The reports count alerts by deployment and decision; reading the alert table for it
            // walks past every crop. Triggers keep these counts in the same transaction as each
            // alert stored or decided, so a report reads a few rows per deployment; two partial
            // indexes hold what the report reads of the stops and of the decisions' times.
            try db.execute(
                sql: """
                    CREATE TABLE alert_tally (
                        deployment_id TEXT NOT NULL, review TEXT NOT NULL, outcome TEXT NOT NULL,
                        outcome_action TEXT NOT NULL, alerts INTEGER NOT NULL,
                        PRIMARY KEY (deployment_id, review, outcome, outcome_action)) WITHOUT ROWID;
                    INSERT INTO alert_tally
                        SELECT deployment_id, COALESCE(review, ''), COALESCE(outcome, ''), COALESCE(outcome_action, ''),
                        COUNT(*) FROM alert GROUP BY 1, 2, 3, 4;
                    CREATE TRIGGER alert_tally_insert AFTER INSERT ON alert BEGIN
                        INSERT INTO alert_tally VALUES (NEW.deployment_id, COALESCE(NEW.review, ''),
                            COALESCE(NEW.outcome, ''), COALESCE(NEW.outcome_action, ''), 1)
                        ON CONFLICT DO UPDATE SET alerts = alerts + 1;
                    END;
                    CREATE TRIGGER alert_tally_update
                    AFTER UPDATE OF deployment_id, review, outcome, outcome_action ON alert BEGIN
                        UPDATE alert_tally SET alerts = alerts - 1 WHERE deployment_id = OLD.deployment_id
                            AND review = COALESCE(OLD.review, '') AND outcome = COALESCE(OLD.outcome, '')
                            AND outcome_action = COALESCE(OLD.outcome_action, '');
                        INSERT INTO alert_tally VALUES (NEW.deployment_id, COALESCE(NEW.review, ''),
                            COALESCE(NEW.outcome, ''), COALESCE(NEW.outcome_action, ''), 1)
                        ON CONFLICT DO UPDATE SET alerts = alerts + 1;
                    END;
                    CREATE TRIGGER alert_tally_delete AFTER DELETE ON alert BEGIN
                        UPDATE alert_tally SET alerts = alerts - 1 WHERE deployment_id = OLD.deployment_id
                            AND review = COALESCE(OLD.review, '') AND outcome = COALESCE(OLD.outcome, '')
                            AND outcome_action = COALESCE(OLD.outcome_action, '');
                    END;
                    CREATE INDEX alert_stops ON alert (deployment_id, review, outcome, stop_sex, stop_ethnicity)
                        WHERE stop_sex IS NOT NULL OR stop_ethnicity IS NOT NULL;
                    CREATE INDEX alert_decision_times
                        ON alert (deployment_id, captured_at_ms, review_at_ms, outcome_at_ms)
                        WHERE review_at_ms IS NOT NULL OR outcome_at_ms IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v17 faces found") { db in
            // Where the faces were in a photo refused for holding several, so that the watchlist
            // page can show them for the subject's to be picked.
            try db.alter(table: "watchlist_draft_photo") { t in t.add(column: "faces_found", .text) }
        }
        return migrator
    }
}

/// The coordinator database cannot be opened or brought to the current schema (its folder is
/// missing or not writable, the file is not SQLite, or it comes from a newer Watchpost).
public struct RecordUnavailable: Refusal {
    public enum Code: String, Sendable { case cannotOpen }
    public static let area = "record"
    public var code: Code { .cannotOpen }
    public var kind: RefusalKind { .unavailable }
    public let path: String
    public let reason: String
    public var description: String {
        "coordinator database \(path) cannot be opened: \(reason); check the state folder (state_dir in the config) and its permissions"
    }
}
