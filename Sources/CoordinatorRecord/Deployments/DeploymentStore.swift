import Crypto
import Foundation
import GRDB
import Shared

/// Deployments in the coordinator database: each transition is decided by `DeploymentLifecycle`
/// and written with its audit entry in one transaction. A refused request writes nothing.
public enum DeploymentStore {
    /// Plans a deployment. With `draft`, the control room's watchlist draft the plan was made from
    /// is marked planned in the same transaction, so that retention keeps its photos exactly when
    /// the deployment is on the record.
    public static func create(
        _ plan: DeploymentPlan, by actor: String, in database: CoordinatorDatabase, at now: Date,
        fromDraft draft: String? = nil
    ) throws {
        let checked = try check(plan)
        try database.change { db, audit in
            guard try !exists(plan.id, db) else {
                throw DeploymentRefusal(.exists, plan.id, "deployment \(plan.id) already exists: choose another id")
            }
            if let draft { try WatchlistDraftStore.markPlanned(draft, db) }
            let enrolled = try NodeRegistry.enrolled(db)
            for node in plan.nodes where enrolled[node] == nil {
                throw DeploymentRefusal(
                    .nodeNotEnrolled, node,
                    "node \(node) is not enrolled: add it to nodes.enrolled in the coordinator config (enrolled: \(enrolled.keys.sorted().joined(separator: ", ")))"
                )
            }
            let expected = String(decoding: try JSONEncoder().encode(plan.expected), as: UTF8.self)
            try db.execute(
                sql: """
                    INSERT INTO deployment (id, state, place_name, latitude, longitude, window_start_ms,
                    window_end_ms, purpose, legal_basis,
                        created_by, created_at_ms, bundle, bundle_sha256, watchlist_id, bundle_version, signers, threshold, list_size, expected,
                        enrolment, cohort)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    plan.id, DeploymentState.planned.rawValue, plan.placeName, plan.latitude, plan.longitude,
                    milliseconds(plan.windowStart), milliseconds(plan.windowEnd), plan.purpose, plan.legalBasis,
                    actor, milliseconds(now), Data(plan.bundle), checked.hash, checked.bundle.watchlistID,
                    Int64(clamping: checked.bundle.version), checked.signers.joined(separator: ","),
                    Double(checked.bundle.threshold), checked.bundle.entries.count, expected,
                    checked.bundle.enrolment.description, checked.bundle.cohortDescription,
                ])
            for node in Set(plan.nodes).sorted() {
                try db.execute(
                    sql: "INSERT INTO deployment_node (deployment_id, node_id) VALUES (?, ?)",
                    arguments: [plan.id, node])
            }
            for s in checked.subjects {
                try db.execute(
                    sql: """
                        INSERT INTO deployment_subject (deployment_id, subject_id, category, reason, legal_basis,
                        image_source, under_18, reference_photo)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        plan.id, s.subjectID, s.category, s.reason, s.legalBasis, s.imageSource, s.under18,
                        s.referencePhoto.map { Data($0) },
                    ])
            }
            try audit.append(
                AuditEvent(
                    actor: actor, action: .deploymentCreated, target: plan.id,
                    detail: [
                        "place": plan.placeName, "latitude": "\(plan.latitude)", "longitude": "\(plan.longitude)",
                        "window_start": iso(plan.windowStart), "window_end": iso(plan.windowEnd),
                        "purpose": plan.purpose,
                        "legal_basis": plan.legalBasis, "nodes": Set(plan.nodes).sorted().joined(separator: ","),
                        "expected_tpir": "\(plan.expected.tpir)", "expected_fpir": "\(plan.expected.fpir)",
                    ]), at: now)
            try audit.append(
                AuditEvent(
                    actor: actor, action: .bundleAttached, target: plan.id,
                    detail: [
                        "bundle_sha256": checked.hash, "watchlist": checked.bundle.watchlistID,
                        "version": "\(checked.bundle.version)",
                        "signers": checked.signers.joined(separator: ","), "subjects": "\(checked.subjects.count)",
                        "minors": "\(checked.subjects.filter(\.under18).count)",
                        "threshold": "\(checked.bundle.threshold)",
                        "enrolment": checked.bundle.enrolment.description, "cohort": checked.bundle.cohortDescription,
                    ]), at: now)
        }
    }

    /// A supervisor allows a subject marked under 18 on this deployment's list, with a reason.
    public static func allowMinor(
        deployment id: String, subject: String, reason: String, by supervisor: String,
        in database: CoordinatorDatabase, at now: Date
    ) throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw DeploymentRefusal(.overrideWithoutReason, subject, "an override needs a reason")
        }
        try database.change { db, audit in
            let deployment = try load(id, db)
            guard deployment.state == .planned else {
                throw DeploymentRefusal(
                    .overrideAfterAuthorisation, id,
                    "deployment \(id) is \(deployment.state.rawValue): overrides are recorded before authorisation")
            }
            guard let listed = deployment.subjects.first(where: { $0.subjectID == subject }) else {
                throw DeploymentRefusal(
                    .subjectNotListed, subject, "subject \(subject) is not on deployment \(id)'s list")
            }
            guard listed.under18 else {
                throw DeploymentRefusal(
                    .subjectNotMinor, subject, "subject \(subject) is not marked under 18: no override is needed")
            }
            // The entry commits to the subject (salt kept in the list's row) rather than naming it, so
            // that the subject id goes when the list is pseudonymised.
            let salt = AlertCommitment.newSalt()
            try db.execute(
                sql: """
                    UPDATE deployment_subject SET override_by = ?, override_reason = ?, override_at_ms = ?,
                    override_salt = ?
                    WHERE deployment_id = ? AND subject_id = ?
                    """, arguments: [supervisor, reason, milliseconds(now), Data(salt), id, subject])
            try audit.append(
                AuditEvent(
                    actor: supervisor, action: .deploymentMinorOverride, target: id,
                    detail: ["subject_commitment": sha256Hex(salt + Array(subject.utf8)), "reason": reason]), at: now)
        }
    }

    public static func authorise(_ id: String, officer: String, in database: CoordinatorDatabase, at now: Date) throws {
        try transition(id, in: database, at: now, actor: officer, action: .deploymentAuthorised) { db, deployment in
            let minors = deployment.subjects.filter { $0.under18 && $0.overrideBy == nil }.map(\.subjectID)
            try deployment.lifecycle.authorise(officer: officer, minorsWithoutOverride: minors, now: now)
            try db.execute(
                sql: "UPDATE deployment SET authorising_officer = ?, authorised_at_ms = ? WHERE id = ?",
                arguments: [officer, milliseconds(now), id])
            return [
                "expected_tpir": "\(deployment.expected.tpir)", "expected_fpir": "\(deployment.expected.fpir)",
                "subjects": "\(deployment.listSize)",
            ]
        }
    }

    public static func start(_ id: String, by actor: String, in database: CoordinatorDatabase, at now: Date) throws {
        try transition(id, in: database, at: now, actor: actor, action: .deploymentStarted) { db, deployment in
            try deployment.lifecycle.start(now: now)
            let busy = try Row.fetchAll(
                db,
                sql: """
                    SELECT n.node_id, d.id FROM deployment_node n JOIN deployment d ON d.id = n.deployment_id
                    WHERE d.state = 'live' AND n.node_id IN (SELECT node_id FROM deployment_node WHERE deployment_id = ?)
                    """, arguments: [id])
            if let row = busy.first {
                throw DeploymentRefusal(
                    .nodeBusy, row["node_id"],
                    "node \(row["node_id"] as String) is serving live deployment \(row["id"] as String): end that one first"
                )
            }
            try db.execute(
                sql: "UPDATE deployment SET started_by = ?, started_at_ms = ? WHERE id = ?",
                arguments: [actor, milliseconds(now), id])
            return ["nodes": deployment.nodes.joined(separator: ","), "bundle_sha256": deployment.bundleSHA256]
        }
    }

    public static func end(_ id: String, by actor: String, in database: CoordinatorDatabase, at now: Date) throws {
        try transition(id, in: database, at: now, actor: actor, action: .deploymentEnded) { db, deployment in
            try deployment.lifecycle.end(now: now)
            try db.execute(
                sql: "UPDATE deployment SET ended_by = ?, ended_at_ms = ? WHERE id = ?",
                arguments: [actor, milliseconds(now), id])
            return ["nodes": deployment.nodes.joined(separator: ",")]
        }
    }

    /// Ends every live deployment whose planned window has closed (`coordinator serve` does this
    /// as each window closes), as `actor`, with the window's close in the audit entry. Returns
    /// the deployments ended; one ended meanwhile by somebody else is left as it is.
    @discardableResult
    public static func endPastWindow(in database: CoordinatorDatabase, at now: Date, actor: String) throws -> [String] {
        let due = try database.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM deployment WHERE state = ? AND window_end_ms <= ? ORDER BY id",
                arguments: [DeploymentState.live.rawValue, milliseconds(now)])
        }
        var ended: [String] = []
        for id in due {
            do {
                try transition(id, in: database, at: now, actor: actor, action: .deploymentEnded) { db, deployment in
                    try deployment.lifecycle.closeWindow(now: now)
                    try db.execute(
                        sql: "UPDATE deployment SET ended_by = ?, ended_at_ms = ? WHERE id = ?",
                        arguments: ["\(actor) (planned window closed)", milliseconds(now), id])
                    return [
                        "nodes": deployment.nodes.joined(separator: ","),
                        "reason": "planned window closed at \(iso(deployment.lifecycle.windowEnd))",
                    ]
                }
                ended.append(id)
            } catch is DeploymentTransitionError {
                continue
            }
        }
        return ended
    }

    /// When the first live deployment's planned window closes, or nil when none is live.
    public static func nextWindowClose(in database: CoordinatorDatabase) throws -> Date? {
        try database.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT MIN(window_end_ms) FROM deployment WHERE state = ?",
                arguments: [DeploymentState.live.rawValue])
        }.map(date(milliseconds:))
    }

    /// Destroys the coordinator's copy of every ended deployment's bundle `delay` after its end,
    /// keeping the subject ids, bundle hash and signers. Returns the deployments whose copy went.
    @discardableResult
    public static func destroyDueBundles(
        delay: TimeInterval, in database: CoordinatorDatabase, at now: Date, actor: String
    ) throws -> [String] {
        let ended = try database.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM deployment WHERE state = ?", arguments: [DeploymentState.ended.rawValue])
        }
        var destroyed: [String] = []
        for id in ended {
            let done = try database.change { db, audit -> Bool in
                var deployment = try load(id, db)
                guard deployment.lifecycle.isWatchlistDestructionDue(now: now, delay: delay) else { return false }
                try deployment.lifecycle.destroyWatchlist(now: now)
                try db.execute(
                    sql: "UPDATE deployment SET state = ?, destroyed_at_ms = ?, bundle = NULL WHERE id = ?",
                    arguments: [deployment.state.rawValue, milliseconds(now), id])
                try db.execute(
                    sql: "UPDATE deployment_subject SET reference_photo = NULL WHERE deployment_id = ?", arguments: [id]
                )
                try WatchlistDraftStore.destroyDrafts(ofDeployment: id, db)
                try audit.append(
                    AuditEvent(
                        actor: actor, action: .bundleDestroyed, target: id,
                        detail: [
                            "bundle_sha256": deployment.bundleSHA256, "subjects": "\(deployment.listSize)",
                            "signers": deployment.signers.joined(separator: ","), "delay_s": "\(Int(delay))",
                        ]), at: now)
                return true
            }
            if done { destroyed.append(id) }
        }
        if !destroyed.isEmpty { try database.truncateLog() }
        return destroyed
    }

    /// Replaces the subject ids on the lists of ended deployments whose bundle is destroyed and whose
    /// alerts are all purged with ordinals ("removed 1", …), so that no subject id outlives the
    /// deployment's retention; categories, reasons and legal bases stay for the reports. Audited
    /// with counts; the write-ahead log is truncated after. Returns the deployments changed.
    public static func pseudonymiseLists(in database: CoordinatorDatabase, at now: Date, actor: String) throws
        -> [String]
    {
        try database.destroy { db, audit in
            let due = try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM deployment d WHERE destroyed_at_ms IS NOT NULL AND list_pseudonymised_at_ms IS NULL
                    AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.deployment_id = d.id AND a.purged_at_ms IS NULL) ORDER BY id
                    """)
            for id in due {
                let subjects = try String.fetchAll(
                    db, sql: "SELECT subject_id FROM deployment_subject WHERE deployment_id = ? ORDER BY subject_id",
                    arguments: [id])
                // In two steps, so that no new id can meet an old one that is still there.
                for (i, subject) in subjects.enumerated() {
                    try db.execute(
                        sql:
                            "UPDATE deployment_subject SET subject_id = ?, override_salt = NULL WHERE deployment_id = ? AND subject_id = ?",
                        arguments: ["\u{1}\(i)", id, subject])
                }
                for i in subjects.indices {
                    try db.execute(
                        sql: "UPDATE deployment_subject SET subject_id = ? WHERE deployment_id = ? AND subject_id = ?",
                        arguments: ["removed \(i + 1)", id, "\u{1}\(i)"])
                }
                try db.execute(
                    sql: "UPDATE deployment SET list_pseudonymised_at_ms = ? WHERE id = ?",
                    arguments: [milliseconds(now), id])
                try audit.append(
                    AuditEvent(
                        actor: actor, action: .listPseudonymised, target: id, detail: ["subjects": "\(subjects.count)"]),
                    at: now)
            }
            return due
        }
    }

    /// The reference photo of a subject on a deployment's list, while the coordinator keeps it.
    public static func referencePhoto(deployment: String, subject: String, in database: CoordinatorDatabase) throws
        -> [UInt8]?
    {
        try database.read { db in
            try Data.fetchOne(
                db, sql: "SELECT reference_photo FROM deployment_subject WHERE deployment_id = ? AND subject_id = ?",
                arguments: [deployment, subject]
            ).map { [UInt8]($0) }
        }
    }

    public static func show(_ id: String, in database: CoordinatorDatabase) throws -> Deployment {
        try database.read { try load(id, $0) }
    }

    public static func list(in database: CoordinatorDatabase) throws -> [Deployment] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM deployment ORDER BY window_start_ms, id").map {
                try load($0, db)
            }
        }
    }

    /// What each node should hold: live deployments' lists; for nodes of ended deployments (the
    /// latest end wins) the command to wipe.
    public static func assignments(in database: CoordinatorDatabase) throws -> [String: NodeAssignment] {
        try database.read { db in
            var result: [String: NodeAssignment] = [:]
            let ended = try Row.fetchAll(
                db,
                sql: """
                    SELECT n.node_id, d.id FROM deployment_node n JOIN deployment d ON d.id = n.deployment_id
                    WHERE d.state IN ('ended', 'watchlist destroyed') ORDER BY d.ended_at_ms
                    """)
            for row in ended { result[row["node_id"]] = .ended(deploymentID: row["id"]) }
            let live = try Row.fetchAll(
                db,
                sql: """
                    SELECT n.node_id, d.id, d.bundle,
                    d.bundle_version FROM deployment_node n JOIN deployment d ON d.id = n.deployment_id
                    WHERE d.state = 'live' AND d.bundle IS NOT NULL
                    """)
            for row in live {
                result[row["node_id"]] = .watchlist(
                    deploymentID: row["id"], bundle: [UInt8](row["bundle"] as Data),
                    version: UInt64(row["bundle_version"] as Int64))
            }
            return result
        }
    }

    // MARK: - Checks and rows

    private struct CheckedPlan {
        let bundle: WatchlistBundle
        let hash: String
        let signers: [String]
        let subjects: [ListedSubject]
    }

    private static func check(_ plan: DeploymentPlan) throws -> CheckedPlan {
        guard !plan.id.isEmpty, plan.id.utf8.count <= 64,
            plan.id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else {
            throw DeploymentRefusal(
                .invalidID, plan.id, "deployment id '\(plan.id)' must be 1-64 letters, digits, '-', '_' or '.'")
        }
        for (name, value) in [("place", plan.placeName), ("purpose", plan.purpose), ("legal basis", plan.legalBasis)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DeploymentRefusal(.missingField, name, "the deployment's \(name) is empty: it must be on the record")
        }
        guard (-90...90).contains(plan.latitude), (-180...180).contains(plan.longitude) else {
            throw DeploymentRefusal(
                .invalidPlace, "\(plan.latitude), \(plan.longitude)",
                "coordinates \(plan.latitude), \(plan.longitude) are not a place: latitude -90..90, longitude -180..180"
            )
        }
        guard plan.windowEnd > plan.windowStart else {
            throw DeploymentRefusal(.windowBackwards, plan.id, "the planned window must end after it starts")
        }
        guard !plan.nodes.isEmpty else {
            throw DeploymentRefusal(.noNodes, plan.id, "a deployment needs at least one node")
        }
        let signed: SignedBundle
        let bundle: WatchlistBundle
        do {
            signed = try SignedBundle.decode(
                fileBytes: plan.bundle, maxPayloadBytes: WatchlistBundle.Limits().maxPayloadBytes)
            bundle = try WatchlistBundle.decode(payload: signed.payload)
        } catch {
            throw DeploymentRefusal(.bundleUnreadable, plan.id, "the bundle is not a valid signed watchlist: \(error)")
        }
        guard !signed.signatures.isEmpty else {
            throw DeploymentRefusal(
                .bundleUnsigned, plan.id, "the bundle is unsigned: sign it with coordinator watchlist sign first")
        }
        if let bad = signed.signatures.first(where: { !signed.isValid($0) }) {
            throw DeploymentRefusal(
                .bundleSignatureInvalid, signerKeyID(bad.publicKey),
                "the bundle's signature by \(signerKeyID(bad.publicKey)) is invalid: the bundle was altered after signing"
            )
        }
        guard bundle.deploymentID == plan.id else {
            throw DeploymentRefusal(
                .bundleForAnotherDeployment, bundle.deploymentID,
                "the bundle is bound to deployment \(bundle.deploymentID), not \(plan.id): build it with --deployment \(plan.id)"
            )
        }
        guard bundle.expiresAt > plan.windowStart else {
            throw DeploymentRefusal(
                .bundleExpiresBeforeWindow, iso(bundle.expiresAt),
                "the bundle expires at \(iso(bundle.expiresAt)), before the window starts")
        }
        let byID = Dictionary(plan.subjects.map { ($0.subjectID, $0) }, uniquingKeysWith: { first, _ in first })
        let subjects = try bundle.entries.map { entry -> ListedSubject in
            guard let listed = byID[entry.subject] else {
                throw DeploymentRefusal(
                    .subjectNotInManifest, entry.subject,
                    "subject \(entry.subject) is in the bundle but not in the manifest: the record needs its category, reason, legal basis and image source"
                )
            }
            return listed
        }
        let hash = sha256Hex(plan.bundle)
        return CheckedPlan(
            bundle: bundle, hash: hash, signers: signed.signatures.map { signerKeyID($0.publicKey) }, subjects: subjects
        )
    }

    private static func exists(_ id: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM deployment WHERE id = ?", arguments: [id]) ?? false
    }

    private static func transition(
        _ id: String, in database: CoordinatorDatabase, at now: Date, actor: String, action: AuditAction,
        _ apply: (Database, inout Deployment) throws -> [String: String]
    ) throws {
        try database.change { db, audit in
            var deployment = try load(id, db)
            let before = deployment.state
            var detail = try apply(db, &deployment)
            try db.execute(
                sql: "UPDATE deployment SET state = ? WHERE id = ?", arguments: [deployment.state.rawValue, id])
            detail["from"] = before.rawValue
            detail["to"] = deployment.state.rawValue
            try audit.append(AuditEvent(actor: actor, action: action, target: id, detail: detail), at: now)
        }
    }

    static func load(_ id: String, _ db: Database) throws -> Deployment {
        // Named columns: the bundle (megabytes for a large list) and the reference photos are not read to show a deployment.
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT \(recordColumns), bundle IS NOT NULL AS holds_bundle FROM deployment WHERE id = ?",
                arguments: [id])
        else {
            let known = try String.fetchAll(db, sql: "SELECT id FROM deployment ORDER BY id")
            throw DeploymentRefusal(
                .notFound, id,
                "no deployment \(id)" + (known.isEmpty ? "" : " (known: \(known.joined(separator: ", ")))"))
        }
        guard let state = DeploymentState(rawValue: row["state"]) else {
            throw DamagedRow(table: "deployment", column: "state", key: id, value: row["state"])
        }
        let time = { (column: String) in (row[column] as Int64?).map(date(milliseconds:)) }
        let lifecycle = DeploymentLifecycle(
            state: state, windowStart: date(milliseconds: row["window_start_ms"]),
            windowEnd: date(milliseconds: row["window_end_ms"]), authorisedAt: time("authorised_at_ms"),
            startedAt: time("started_at_ms"), endedAt: time("ended_at_ms"), destroyedAt: time("destroyed_at_ms"))
        let nodes = try String.fetchAll(
            db, sql: "SELECT node_id FROM deployment_node WHERE deployment_id = ? ORDER BY node_id", arguments: [id])
        let subjects = try Row.fetchAll(
            db,
            sql: """
                SELECT subject_id, category, reason, legal_basis, image_source, under_18, override_by, override_reason
                FROM deployment_subject WHERE deployment_id = ? ORDER BY subject_id
                """, arguments: [id]
        ).map { s in
            ListedSubject(
                subjectID: s["subject_id"], category: s["category"], reason: s["reason"], legalBasis: s["legal_basis"],
                imageSource: s["image_source"], under18: s["under_18"], overrideBy: s["override_by"],
                overrideReason: s["override_reason"])
        }
        let expected = try JSONDecoder().decode(ExpectedPerformance.self, from: Data((row["expected"] as String).utf8))
        let signers = (row["signers"] as String).split(separator: ",").map(String.init)
        return Deployment(
            id: id, lifecycle: lifecycle, placeName: row["place_name"], latitude: row["latitude"],
            longitude: row["longitude"],
            purpose: row["purpose"], legalBasis: row["legal_basis"], createdBy: row["created_by"],
            authorisingOfficer: row["authorising_officer"], startedBy: row["started_by"], endedBy: row["ended_by"],
            nodes: nodes, bundleSHA256: row["bundle_sha256"], watchlistID: row["watchlist_id"],
            bundleVersion: UInt64(row["bundle_version"] as Int64), signers: signers, threshold: row["threshold"],
            listSize: row["list_size"], enrolment: row["enrolment"], cohort: row["cohort"], expected: expected,
            subjects: subjects,
            holdsBundle: row["holds_bundle"])
    }

    /// Every column `load` reads but the bundle.
    private static let recordColumns = """
        state, window_start_ms, window_end_ms, authorised_at_ms, started_at_ms, ended_at_ms, destroyed_at_ms,
        expected, signers, place_name,
        latitude, longitude, purpose, legal_basis, created_by, authorising_officer, started_by, ended_by, bundle_sha256, watchlist_id,
        bundle_version, threshold, list_size, enrolment, cohort
        """
}
