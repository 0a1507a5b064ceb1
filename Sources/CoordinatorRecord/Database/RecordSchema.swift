import GRDB

/// The tables of the deployment record (migration 2). Times are milliseconds since 1970.
enum RecordSchema {
    static func createV2(_ db: Database) throws {
        // Alerts gain their attribution, both adjudication stages, case marking and purging. The
        // personal fields become nullable: a purge clears them and keeps the decisions for reports.
        try db.create(table: "alert_v2") { t in
            t.primaryKey("id", .text)
            t.column("node_id", .text).notNull()
            t.column("node_key", .text)
            t.column("camera_id", .text).notNull()
            t.column("deployment_id", .text).notNull()
            t.column("watchlist_version", .integer).notNull()
            t.column("subject", .text)
            t.column("score", .double)
            t.column("distance", .double)
            t.column("captured_at_ms", .integer).notNull()
            t.column("track", .integer).notNull()
            t.column("quality", .blob)
            t.column("crop", .blob)
            t.column("received_at_ms", .integer).notNull()
            t.column("review", .text)
            t.column("review_by", .text)
            t.column("review_at_ms", .integer)
            t.column("review_note", .text)
            t.column("outcome", .text)
            t.column("outcome_action", .text)
            t.column("outcome_note", .text)
            t.column("outcome_by", .text)
            t.column("outcome_at_ms", .integer)
            t.column("case_reference", .text)
            t.column("case_reason", .text)
            t.column("case_by", .text)
            t.column("purged_at_ms", .integer)
        }
        try db.execute(
            sql: """
                INSERT INTO alert_v2 (id, node_id, camera_id, deployment_id, watchlist_version, subject, score,
                distance,
                                      captured_at_ms, track, quality, crop, received_at_ms)
                SELECT id, node_id, camera_id, deployment_id, watchlist_version, subject, score, distance,
                       captured_at_ms, track, quality, crop, received_at_ms FROM alert
                """)
        try db.drop(table: "alert")
        try db.rename(table: "alert_v2", to: "alert")
        try db.create(index: "alert_by_deployment", on: "alert", columns: ["deployment_id", "received_at_ms"])
        try db.create(index: "alert_by_time", on: "alert", columns: ["received_at_ms"])

        try db.create(table: "node") { t in
            t.primaryKey("node_id", .text)
            t.column("public_key", .text).notNull()
            t.column("camera_id", .text).notNull()
            t.column("enrolled_at_ms", .integer).notNull()
            t.column("revoked_at_ms", .integer)
            t.column("last_heartbeat_ms", .integer)
            t.column("uptime_s", .integer)
            t.column("fps", .double)
            t.column("watchlist_version", .integer)
            // The node's own running totals as last reported, to turn them into per-deployment increments.
            t.column("faces_total", .integer).notNull().defaults(to: 0)
            t.column("dropped_total", .integer).notNull().defaults(to: 0)
            t.column("rejections_total", .text).notNull().defaults(to: "{}")
            t.column("last_refusal", .text)
        }
        try db.create(table: "node_deployment_counts") { t in
            t.column("node_id", .text).notNull()
            t.column("deployment_id", .text).notNull()
            t.column("faces_seen", .integer).notNull().defaults(to: 0)
            t.column("frames_dropped", .integer).notNull().defaults(to: 0)
            t.column("quality_rejections", .text).notNull().defaults(to: "{}")
            t.primaryKey(["node_id", "deployment_id"])
        }

        try db.create(table: "deployment") { t in
            t.primaryKey("id", .text)
            t.column("state", .text).notNull()
            t.column("place_name", .text).notNull()
            t.column("latitude", .double).notNull()
            t.column("longitude", .double).notNull()
            t.column("window_start_ms", .integer).notNull()
            t.column("window_end_ms", .integer).notNull()
            t.column("purpose", .text).notNull()
            t.column("legal_basis", .text).notNull()
            t.column("created_by", .text).notNull()
            t.column("created_at_ms", .integer).notNull()
            t.column("authorising_officer", .text)
            t.column("authorised_at_ms", .integer)
            t.column("started_by", .text)
            t.column("started_at_ms", .integer)
            t.column("ended_by", .text)
            t.column("ended_at_ms", .integer)
            t.column("destroyed_at_ms", .integer)
            t.column("bundle", .blob)
            t.column("bundle_sha256", .text).notNull()
            t.column("watchlist_id", .text).notNull()
            t.column("bundle_version", .integer).notNull()
            t.column("signers", .text).notNull()
            t.column("threshold", .double).notNull()
            t.column("list_size", .integer).notNull()
            t.column("expected", .text).notNull()
        }
        try db.create(table: "deployment_node") { t in
            t.column("deployment_id", .text).notNull().references("deployment")
            t.column("node_id", .text).notNull()
            t.primaryKey(["deployment_id", "node_id"])
        }
        try db.create(table: "deployment_subject") { t in
            t.column("deployment_id", .text).notNull().references("deployment")
            t.column("subject_id", .text).notNull()
            t.column("category", .text).notNull()
            t.column("reason", .text).notNull()
            t.column("legal_basis", .text).notNull()
            t.column("image_source", .text).notNull()
            t.column("under_18", .boolean).notNull()
            t.column("override_by", .text)
            t.column("override_reason", .text)
            t.column("override_at_ms", .integer)
            t.primaryKey(["deployment_id", "subject_id"])
        }

        try db.create(table: "audit") { t in
            t.primaryKey("seq", .integer)
            t.column("at_ms", .integer).notNull()
            t.column("actor", .text).notNull()
            t.column("action", .text).notNull()
            t.column("target", .text).notNull()
            t.column("detail", .text).notNull()
            t.column("prev_hash", .blob).notNull()
            t.column("hash", .blob).notNull()
        }
        // A speed bump for careless edits; the hash chain and signed checkpoints are what detect the rest.
        for event in ["UPDATE", "DELETE"] {
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_append_only_\(event.lowercased()) BEFORE \(event) ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                    """)
        }
    }

    /// Control-room users (bcrypt hashes) and their sessions (token digests only).
    static func createV3(_ db: Database) throws {
        try db.create(table: "user") { t in
            t.primaryKey("name", .text)
            t.column("role", .text).notNull()
            t.column("password_hash", .text).notNull()
            t.column("created_at_ms", .integer).notNull()
            t.column("disabled_at_ms", .integer)
            t.column("failed_logins", .integer).notNull().defaults(to: 0)
            t.column("locked_until_ms", .integer)
        }
        try db.create(table: "session") { t in
            t.primaryKey("token_sha256", .text)
            t.column("user_name", .text).notNull().references("user")
            t.column("csrf_token", .text).notNull()
            t.column("created_at_ms", .integer).notNull()
            t.column("expires_at_ms", .integer).notNull()
        }
    }

    /// Migration 5: watchlists prepared in the control room, from upload to signatures. The
    /// photos are of people sought: they are destroyed with the deployment's bundle or when the
    /// draft is discarded.
    static func createV5(_ db: Database) throws {
        try db.create(table: "watchlist_draft") { t in
            t.primaryKey("id", .text)
            t.column("deployment_id", .text).notNull()
            t.column("watchlist_id", .text).notNull()
            t.column("version", .integer).notNull()
            t.column("not_before_ms", .integer)
            t.column("expires_at_ms", .integer).notNull()
            t.column("threshold", .double)
            t.column("face_choice", .text).notNull().defaults(to: "only")
            t.column("state", .text).notNull()
            t.column("failure", .text)
            t.column("manifest_name", .text).notNull()
            t.column("created_by", .text).notNull()
            t.column("created_at_ms", .integer).notNull()
            t.column("built_at_ms", .integer)
            t.column("built_subjects", .integer)
            t.column("built_templates", .integer)
            t.column("built_cohort_faces", .integer)
            t.column("built_threshold", .double)
            t.column("bundle", .blob)
        }
        try db.create(table: "watchlist_draft_subject") { t in
            t.column("draft_id", .text).notNull().references("watchlist_draft", onDelete: .cascade)
            t.column("subject_id", .text).notNull()
            t.column("line", .integer).notNull()
            t.column("display_name", .text).notNull()
            t.column("category", .text).notNull()
            t.column("reason", .text).notNull()
            t.column("image_source", .text).notNull()
            t.column("legal_basis", .text)
            t.column("under_18", .boolean)
            t.column("enrolled", .boolean)
            t.primaryKey(["draft_id", "subject_id"])
        }
        try db.create(table: "watchlist_draft_photo") { t in
            t.column("draft_id", .text).notNull().references("watchlist_draft", onDelete: .cascade)
            t.column("subject_id", .text).notNull()
            t.column("position", .integer).notNull()
            t.column("file_name", .text).notNull()
            t.column("photo", .blob).notNull()
            t.column("refusal", .text)
            t.primaryKey(["draft_id", "subject_id", "position"])
        }
        try db.create(table: "watchlist_draft_signature") { t in
            t.column("draft_id", .text).notNull().references("watchlist_draft", onDelete: .cascade)
            t.column("key_id", .text).notNull()
            t.column("public_key", .blob).notNull()
            t.column("signature", .blob).notNull()
            t.column("uploaded_by", .text).notNull()
            t.column("uploaded_at_ms", .integer).notNull()
            t.primaryKey(["draft_id", "key_id"])
        }
    }
}
