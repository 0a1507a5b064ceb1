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
            try DeploymentRow(
                id: plan.id, state: DeploymentState.planned.rawValue, placeName: plan.placeName,
                latitude: plan.latitude, longitude: plan.longitude, windowStartMs: milliseconds(plan.windowStart),
                windowEndMs: milliseconds(plan.windowEnd), purpose: plan.purpose, legalBasis: plan.legalBasis,
                createdBy: actor, createdAtMs: milliseconds(now), bundle: Data(plan.bundle), bundleSHA256: checked.hash,
                watchlistID: checked.bundle.watchlistID, bundleVersion: Int64(clamping: checked.bundle.version),
                signers: checked.signers.joined(separator: ","), threshold: Double(checked.bundle.threshold),
                listSize: checked.bundle.entries.count, expected: expected,
                enrolment: checked.bundle.enrolment.description, cohort: checked.bundle.cohortDescription
            ).insert(db)
            for node in Set(plan.nodes).sorted() {
                try DeploymentNodeRow(deploymentID: plan.id, nodeID: node).insert(db)
            }
            for s in checked.subjects {
                try DeploymentSubjectRow(
                    deploymentID: plan.id, subjectID: s.subjectID, displayName: s.displayName, category: s.category,
                    reason: s.reason, warning: s.warning, legalBasis: s.legalBasis, imageSource: s.imageSource,
                    under18: s.under18,
                    referencePhoto: s.referencePhoto.map { Data($0) }
                ).insert(db)
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
            try DeploymentSubjectRow.filter(key: ["deployment_id": id, "subject_id": subject]).updateAll(
                db, DeploymentSubjectRow.Columns.overrideBy.set(to: supervisor),
                DeploymentSubjectRow.Columns.overrideReason.set(to: reason),
                DeploymentSubjectRow.Columns.overrideAtMs.set(to: milliseconds(now)),
                DeploymentSubjectRow.Columns.overrideSalt.set(to: Data(salt)))
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
            try DeploymentRow.filter(key: id).updateAll(
                db, DeploymentRow.Columns.authorisingOfficer.set(to: officer),
                DeploymentRow.Columns.authorisedAtMs.set(to: milliseconds(now)))
            return [
                "expected_tpir": "\(deployment.expected.tpir)", "expected_fpir": "\(deployment.expected.fpir)",
                "subjects": "\(deployment.listSize)",
            ]
        }
    }

    public static func start(_ id: String, by actor: String, in database: CoordinatorDatabase, at now: Date) throws {
        try transition(id, in: database, at: now, actor: actor, action: .deploymentStarted) { db, deployment in
            try deployment.lifecycle.start(now: now)
            let live = try DeploymentRow.liveIDs.fetchAll(db)
            if let busy = try DeploymentNodeRow.filter(
                live.contains(DeploymentNodeRow.Columns.deploymentID)
                    && deployment.nodes.contains(DeploymentNodeRow.Columns.nodeID)
            ).fetchOne(db) {
                throw DeploymentRefusal(
                    .nodeBusy, busy.nodeID,
                    "node \(busy.nodeID) is serving live deployment \(busy.deploymentID): end that one first")
            }
            try DeploymentRow.filter(key: id).updateAll(
                db, DeploymentRow.Columns.startedBy.set(to: actor),
                DeploymentRow.Columns.startedAtMs.set(to: milliseconds(now)))
            return ["nodes": deployment.nodes.joined(separator: ","), "bundle_sha256": deployment.bundleSHA256]
        }
    }

    public static func end(_ id: String, by actor: String, in database: CoordinatorDatabase, at now: Date) throws {
        try transition(id, in: database, at: now, actor: actor, action: .deploymentEnded) { db, deployment in
            try deployment.lifecycle.end(now: now)
            try recordEnd(id, by: actor, at: now, db)
            return ["nodes": deployment.nodes.joined(separator: ",")]
        }
    }

    /// Ends every live deployment whose planned window has closed (`coordinator serve` does this
    /// as each window closes), and closes every authorised one whose window passed without a
    /// start, as `actor`, with the window's close in the audit entry. Returns the deployments
    /// ended; one ended meanwhile by somebody else is left as it is.
    @discardableResult
    public static func endPastWindow(in database: CoordinatorDatabase, at now: Date, actor: String) throws -> [String] {
        let due = try database.read { db in
            try DeploymentRow.filter(
                [DeploymentState.live.rawValue, DeploymentState.authorised.rawValue].contains(
                    DeploymentRow.Columns.state)
                    && DeploymentRow.Columns.windowEndMs <= milliseconds(now)
            ).order(DeploymentRow.Columns.id).select(DeploymentRow.Columns.id, as: String.self).fetchAll(db)
        }
        var ended: [String] = []
        for id in due {
            do {
                try transition(id, in: database, at: now, actor: actor, action: .deploymentEnded) { db, deployment in
                    let closed = "planned window closed at \(iso(deployment.lifecycle.windowEnd))"
                    if deployment.state == .authorised {
                        try deployment.lifecycle.lapse(now: now)
                        try recordEnd(id, by: "\(actor) (planned window passed without a start)", at: now, db)
                        return ["nodes": deployment.nodes.joined(separator: ","), "reason": closed + ", never started"]
                    }
                    try deployment.lifecycle.closeWindow(now: now)
                    try recordEnd(id, by: "\(actor) (planned window closed)", at: now, db)
                    return ["nodes": deployment.nodes.joined(separator: ","), "reason": closed]
                }
                ended.append(id)
            } catch is DeploymentTransitionError {
                continue
            }
        }
        return ended
    }

    /// When the first live or authorised deployment's planned window closes, or nil when none is.
    public static func nextWindowClose(in database: CoordinatorDatabase) throws -> Date? {
        try database.read { db in
            try DeploymentRow.filter(
                [DeploymentState.live.rawValue, DeploymentState.authorised.rawValue].contains(
                    DeploymentRow.Columns.state)
            )
            .select(min(DeploymentRow.Columns.windowEndMs), as: Int64.self).fetchOne(db)
        }.map(date(milliseconds:))
    }

    /// Destroys the coordinator's copy of every ended deployment's bundle `delay` after its end,
    /// keeping the subject ids, bundle hash and signers. Returns the deployments whose copy went.
    @discardableResult
    public static func destroyDueBundles(
        delay: TimeInterval, in database: CoordinatorDatabase, at now: Date, actor: String
    ) throws -> [String] {
        let ended = try database.read { db in
            try DeploymentRow.filter(DeploymentRow.Columns.state == DeploymentState.ended.rawValue)
                .select(DeploymentRow.Columns.id, as: String.self).fetchAll(db)
        }
        var destroyed: [String] = []
        for id in ended {
            let done = try database.change { db, audit -> Bool in
                var deployment = try load(id, db)
                guard deployment.lifecycle.isWatchlistDestructionDue(now: now, delay: delay) else { return false }
                try deployment.lifecycle.destroyWatchlist(now: now)
                try DeploymentRow.filter(key: id).updateAll(
                    db, DeploymentRow.Columns.state.set(to: deployment.state.rawValue),
                    DeploymentRow.Columns.destroyedAtMs.set(to: milliseconds(now)),
                    DeploymentRow.Columns.bundle.set(to: nil))
                // The names, warnings and photos go with the bundle; the ids, categories and reasons stay for the reports.
                try DeploymentSubjectRow.of(id).updateAll(
                    db, DeploymentSubjectRow.Columns.referencePhoto.set(to: nil),
                    DeploymentSubjectRow.Columns.displayName.set(to: nil),
                    DeploymentSubjectRow.Columns.warning.set(to: nil))
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
                let subjects = try DeploymentSubjectRow.of(id).order(DeploymentSubjectRow.Columns.subjectID)
                    .select(DeploymentSubjectRow.Columns.subjectID, as: String.self).fetchAll(db)
                let subjectColumn = DeploymentSubjectRow.Columns.subjectID
                // In two steps, so that no new id can meet an old one that is still there.
                for (i, subject) in subjects.enumerated() {
                    try DeploymentSubjectRow.of(id).filter(subjectColumn == subject).updateAll(
                        db, subjectColumn.set(to: "\u{1}\(i)"), DeploymentSubjectRow.Columns.overrideSalt.set(to: nil))
                }
                for i in subjects.indices {
                    try DeploymentSubjectRow.of(id).filter(subjectColumn == "\u{1}\(i)").updateAll(
                        db, subjectColumn.set(to: "removed \(i + 1)"))
                }
                try DeploymentRow.filter(key: id).updateAll(
                    db, DeploymentRow.Columns.listPseudonymisedAtMs.set(to: milliseconds(now)))
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
            try DeploymentSubjectRow.of(deployment).filter(DeploymentSubjectRow.Columns.subjectID == subject)
                .select(DeploymentSubjectRow.Columns.referencePhoto, as: Data.self).fetchOne(db).map { [UInt8]($0) }
        }
    }

    /// Who a subject on a deployment's list is, as the operator needs it (name, category, reason,
    /// warning; no photo), while the coordinator holds the deployment's bundle; nil after it is
    /// destroyed (the alert then shows the id alone) or when the subject is not on the list.
    public static func subject(_ subject: String, onListOf deployment: String, in database: CoordinatorDatabase) throws
        -> ListedSubject?
    {
        try database.read { db in
            let kept =
                try DeploymentRow.filter(key: deployment).filter(DeploymentRow.Columns.destroyedAtMs == nil)
                .fetchCount(db) > 0
            guard kept else { return nil }
            return try DeploymentSubjectRow.of(deployment).filter(DeploymentSubjectRow.Columns.subjectID == subject)
                .fetchOne(db)?.listed
        }
    }

    /// The names the operator reads of the subjects on these deployments' lists, while the
    /// coordinator holds each deployment's bundle: deployment, then subject, to display name.
    public static func displayNames(onListsOf deployments: Set<String>, in database: CoordinatorDatabase) throws
        -> [String: [String: String]]
    {
        try database.read { db in
            let kept = try DeploymentRow.filter(
                deployments.contains(DeploymentRow.Columns.id) && DeploymentRow.Columns.destroyedAtMs == nil
            ).select(DeploymentRow.Columns.id, as: String.self).fetchAll(db)
            var names: [String: [String: String]] = [:]
            for row in try DeploymentSubjectRow.filter(
                kept.contains(DeploymentSubjectRow.Columns.deploymentID)
                    && DeploymentSubjectRow.Columns.displayName != nil
            ).select(
                DeploymentSubjectRow.Columns.deploymentID, DeploymentSubjectRow.Columns.subjectID,
                DeploymentSubjectRow.Columns.displayName
            ).asRequest(of: Row.self).fetchAll(db) {
                names[row[0], default: [:]][row[1]] = row[2]
            }
            return names
        }
    }
    public static func show(_ id: String, in database: CoordinatorDatabase) throws -> Deployment {
        try database.read { try load(id, $0) }
    }

    public static func list(in database: CoordinatorDatabase) throws -> [Deployment] {
        try database.read { db in
            try DeploymentRow.order(DeploymentRow.Columns.windowStartMs, DeploymentRow.Columns.id)
                .select(DeploymentRow.Columns.id, as: String.self).fetchAll(db).map { try load($0, db) }
        }
    }

    /// What each node should hold: live deployments' lists; for nodes of ended deployments (the
    /// latest end wins) the command to wipe.
    public static func assignments(in database: CoordinatorDatabase) throws -> [String: NodeAssignment] {
        try database.read { db in
            var result: [String: NodeAssignment] = [:]
            let deployment = TableAlias()
            let state = DeploymentRow.Columns.state
            let endedStates = [DeploymentState.ended, .watchlistDestroyed].map(\.rawValue)
            // The latest end wins: the nodes of deployments ended later overwrite earlier ones.
            let ended = try DeploymentNodeRow.joining(
                required: DeploymentNodeRow.deployment.aliased(deployment).filter(endedStates.contains(state))
            ).order(deployment[DeploymentRow.Columns.endedAtMs]).fetchAll(db)
            for row in ended { result[row.nodeID] = .ended(deploymentID: row.deploymentID) }
            let live = try DeploymentRow.filter(
                state == DeploymentState.live.rawValue && DeploymentRow.Columns.bundle != nil
            ).select(
                DeploymentRow.Columns.id, DeploymentRow.Columns.bundle, Column(DeploymentRow.CodingKeys.bundleVersion)
            )
            .asRequest(of: Row.self).fetchAll(db)
            for row in live {
                let bundle: Data = row["bundle"], version: Int64 = row["bundle_version"], id: String = row["id"]
                for node in try DeploymentNodeRow.filter(DeploymentNodeRow.Columns.deploymentID == id).fetchAll(db) {
                    result[node.nodeID] = .watchlist(
                        deploymentID: id, bundle: [UInt8](bundle), version: UInt64(version))
                }
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
        try DeploymentRow.exists(db, key: id)
    }

    private static func transition(
        _ id: String, in database: CoordinatorDatabase, at now: Date, actor: String, action: AuditAction,
        _ apply: (Database, inout Deployment) throws -> [String: String]
    ) throws {
        try database.change { db, audit in
            var deployment = try load(id, db)
            let before = deployment.state
            var detail = try apply(db, &deployment)
            try DeploymentRow.filter(key: id).updateAll(
                db, DeploymentRow.Columns.state.set(to: deployment.state.rawValue))
            detail["from"] = before.rawValue
            detail["to"] = deployment.state.rawValue
            try audit.append(AuditEvent(actor: actor, action: action, target: id, detail: detail), at: now)
        }
    }

    private static func recordEnd(_ id: String, by actor: String, at now: Date, _ db: Database) throws {
        try DeploymentRow.filter(key: id).updateAll(
            db, DeploymentRow.Columns.endedBy.set(to: actor), DeploymentRow.Columns.endedAtMs.set(to: milliseconds(now))
        )
    }

    static func load(_ id: String, _ db: Database) throws -> Deployment {
        // The bundle (megabytes for a large list) and the reference photos are not read to show a deployment.
        guard let read = try DeploymentRowWithoutBundle.request(id).fetchOne(db) else {
            let known = try DeploymentRow.order(DeploymentRow.Columns.id).select(
                DeploymentRow.Columns.id, as: String.self
            )
            .fetchAll(db)
            throw DeploymentRefusal(
                .notFound, id,
                "no deployment \(id)" + (known.isEmpty ? "" : " (known: \(known.joined(separator: ", ")))"))
        }
        let row = read.row
        let state: DeploymentState = try DamagedRow.known(
            row.state, table: DeploymentRow.databaseTableName, column: DeploymentRow.CodingKeys.state.rawValue, key: id)
        let lifecycle = DeploymentLifecycle(
            state: state, windowStart: date(milliseconds: row.windowStartMs),
            windowEnd: date(milliseconds: row.windowEndMs), authorisedAt: row.authorisedAtMs.map(date(milliseconds:)),
            startedAt: row.startedAtMs.map(date(milliseconds:)), endedAt: row.endedAtMs.map(date(milliseconds:)),
            destroyedAt: row.destroyedAtMs.map(date(milliseconds:)))
        let nodes = try DeploymentNodeRow.filter(DeploymentNodeRow.Columns.deploymentID == id)
            .order(DeploymentNodeRow.Columns.nodeID).fetchAll(db).map(\.nodeID)
        let subjects = try DeploymentSubjectRow.of(id).order(DeploymentSubjectRow.Columns.subjectID).fetchAll(db)
            .map(\.listed)
        let expected = try JSONDecoder().decode(ExpectedPerformance.self, from: Data(row.expected.utf8))
        return Deployment(
            id: id, lifecycle: lifecycle, placeName: row.placeName, latitude: row.latitude, longitude: row.longitude,
            purpose: row.purpose, legalBasis: row.legalBasis, createdBy: row.createdBy,
            authorisingOfficer: row.authorisingOfficer, startedBy: row.startedBy, endedBy: row.endedBy, nodes: nodes,
            bundleSHA256: row.bundleSHA256, watchlistID: row.watchlistID, bundleVersion: UInt64(row.bundleVersion),
            signers: row.signers.split(separator: ",").map(String.init), threshold: row.threshold,
            listSize: row.listSize, enrolment: row.enrolment, cohort: row.cohort, expected: expected,
            subjects: subjects, holdsBundle: read.holdsBundle)
    }
}
