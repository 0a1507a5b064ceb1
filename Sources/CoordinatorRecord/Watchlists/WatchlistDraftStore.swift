import Crypto
import FaceTemplates
import Foundation
import GRDB
import ImageHeaders
import Shared

/// Watchlists prepared in the control room: the upload checked and stored with its photos, the
/// build's outcome, the unsigned bundle handed out for offline signing, the signatures taken
/// back. Each step is written with its audit entry in one transaction; a refused step writes
/// nothing. Signing keys never reach the coordinator: only signatures do.
public enum WatchlistDraftStore {
    /// The largest photo accepted (a passport-quality JPEG is well under 1 MiB).
    public static let maxPhotoBytes = 15 << 20

    /// Checks and stores an upload; returns the new draft's id.
    public static func upload(
        _ upload: WatchlistUpload, by actor: String, in database: CoordinatorDatabase, at now: Date
    ) throws -> String {
        try check(upload.binding, now: now)
        let manifest = try WatchlistManifest(uploadedText: upload.manifestText, name: upload.manifestName)
        var named = Set<String>()
        for subject in manifest.subjects {
            for name in subject.images {
                guard let bytes = upload.photos[name] else {
                    throw WatchlistDraftRefusal(
                        .photoNotUploaded, name,
                        "manifest line \(subject.line): photo \(name) for \(subject.id) was not uploaded: choose it with the manifest"
                    )
                }
                guard bytes.count <= maxPhotoBytes else {
                    throw WatchlistDraftRefusal(
                        .photoTooLarge, name, "photo \(name) is larger than \(maxPhotoBytes >> 20) MiB")
                }
                // The header is read, never the pixels: a photo declaring a huge canvas is refused here, not at the build.
                let header = try ImageHeader(bytes, name: name)
                guard [.jpeg, .png].contains(header.format) else {
                    throw WatchlistDraftRefusal(.photoNotJPEGOrPNG, name, "photo \(name) is not a JPEG or PNG file")
                }
                named.insert(name)
            }
        }
        if let stray = upload.photos.keys.sorted().first(where: { !named.contains($0) }) {
            throw WatchlistDraftRefusal(
                .strayPhoto, stray,
                "photo \(stray) was uploaded but no manifest row names it: add it to a row's image_paths or leave it out (photos of people not on the list are not kept)"
            )
        }
        let id = newDraftID()
        try database.change { db, audit in
            let b = upload.binding
            try db.execute(
                sql: """
                    INSERT INTO watchlist_draft (id, deployment_id, watchlist_id, version, not_before_ms,
                    expires_at_ms, threshold, face_choice, photos,
                                                 state, manifest_name, created_by, created_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, b.deploymentID, b.watchlistID, Int64(clamping: b.version), b.notBefore.map(milliseconds),
                    milliseconds(b.expiresAt),
                    b.threshold.map { Double($0) }, b.faceChoice, b.photos, WatchlistDraftState.uploaded.rawValue,
                    upload.manifestName,
                    actor, milliseconds(now),
                ])
            for s in manifest.subjects {
                try db.execute(
                    sql: """
                        INSERT INTO watchlist_draft_subject (draft_id, subject_id, line, display_name, category,
                        reason, image_source, legal_basis, under_18)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, s.id, s.line, s.displayName, s.category, s.reason, s.imageSource, s.legalBasis, s.under18,
                    ])
                for (position, name) in s.images.enumerated() {
                    let mark = position < s.faceMarks.count ? s.faceMarks[position] : nil
                    try db.execute(
                        sql:
                            "INSERT INTO watchlist_draft_photo (draft_id, subject_id, position, file_name, photo, face_box) VALUES (?, ?, ?, ?, ?, ?)",
                        arguments: [id, s.id, position, name, Data(upload.photos[name]!), mark?.text])
                }
            }
            try audit.append(
                AuditEvent(
                    actor: actor, action: .watchlistUploaded, target: id,
                    detail: [
                        "deployment": b.deploymentID, "watchlist": b.watchlistID, "version": "\(b.version)",
                        "manifest": upload.manifestName,
                        "subjects": "\(manifest.subjects.count)", "photos": "\(named.count)",
                        "marked faces": "\(manifest.subjects.reduce(0) { $0 + $1.faceMarks.compactMap { $0 }.count })",
                    ]), at: now)
        }
        return id
    }

    /// Every draft, newest first (subjects and photos without their bytes).
    public static func list(in database: CoordinatorDatabase) throws -> [WatchlistDraft] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM watchlist_draft ORDER BY created_at_ms DESC, id").compactMap {
                try load($0, db)
            }
        }
    }

    public static func load(_ id: String, in database: CoordinatorDatabase) throws -> WatchlistDraft? {
        try database.read { db in try load(id, db) }
    }

    /// One uploaded photo's bytes.
    public static func photo(draft: String, subject: String, position: Int, in database: CoordinatorDatabase) throws
        -> [UInt8]?
    {
        try database.read { db in
            try Data.fetchOne(
                db,
                sql: "SELECT photo FROM watchlist_draft_photo WHERE draft_id = ? AND subject_id = ? AND position = ?",
                arguments: [draft, subject, position]
            ).map { Array($0) }
        }
    }

    /// Marks the draft as building and returns what to enrol. Refused while it builds or once planned.
    public static func beginBuild(_ id: String, by actor: String, in database: CoordinatorDatabase, at now: Date) throws
        -> WatchlistBuildInput
    {
        try database.change { db, _ in
            let draft = try require(id, db)
            guard [.uploaded, .failed, .built].contains(draft.state) else {
                throw WatchlistDraftRefusal(
                    .notBuildable, id, "watchlist \(id) is \(draft.state.rawValue): it cannot be built now")
            }
            guard draft.signatures.isEmpty else {
                throw WatchlistDraftRefusal(
                    .alreadySigned, id,
                    "watchlist \(id) already carries signatures: a new build would need them again; upload a new version instead"
                )
            }
            try db.execute(
                sql: "UPDATE watchlist_draft SET state = ?, failure = NULL WHERE id = ?",
                arguments: [WatchlistDraftState.building.rawValue, id])
            let subjects = try draft.subjects.map { s in
                WatchlistBuildInput.Subject(
                    subjectID: s.subjectID, line: s.line,
                    photos: try s.photos.map { p in
                        let bytes =
                            try Data.fetchOne(
                                db,
                                sql:
                                    "SELECT photo FROM watchlist_draft_photo WHERE draft_id = ? AND subject_id = ? AND position = ?",
                                arguments: [id, s.subjectID, p.position]) ?? Data()
                        return (p.fileName, Array(bytes), p.mark)
                    })
            }
            return WatchlistBuildInput(draftID: id, binding: draft.binding, subjects: subjects)
        }
    }

    /// Records what the build produced: the unsigned bundle, the counts, each refusal beside its photo.
    public static func recordBuild(
        _ id: String, _ outcome: WatchlistCompilation, by actor: String, in database: CoordinatorDatabase, at now: Date
    ) throws {
        try database.change { db, audit in
            let draft = try require(id, db)
            guard draft.state == .building else {
                throw WatchlistDraftRefusal(.notBuilding, id, "watchlist \(id) is not being built")
            }
            try db.execute(sql: "UPDATE watchlist_draft_photo SET refusal = NULL WHERE draft_id = ?", arguments: [id])
            for r in outcome.refusals {
                guard let subject = r.subjectID, let position = r.position else { continue }
                try db.execute(
                    sql:
                        "UPDATE watchlist_draft_photo SET refusal = ? WHERE draft_id = ? AND subject_id = ? AND position = ?",
                    arguments: [r.reason, id, subject, position])
            }
            let leftOut = Set(outcome.refusals.filter { $0.position == nil }.compactMap(\.subjectID))
            for s in draft.subjects {
                try db.execute(
                    sql: "UPDATE watchlist_draft_subject SET enrolled = ? WHERE draft_id = ? AND subject_id = ?",
                    arguments: [!leftOut.contains(s.subjectID), id, s.subjectID])
            }
            let enrolled = draft.subjects.count - leftOut.count
            guard let bundle = outcome.bundleFile else {
                try db.execute(
                    sql: "UPDATE watchlist_draft SET state = ?, failure = ?, bundle = NULL WHERE id = ?",
                    arguments: [
                        WatchlistDraftState.failed.rawValue, "no subject could be enrolled: replace the refused photos",
                        id,
                    ])
                try audit.append(
                    AuditEvent(
                        actor: actor, action: .watchlistBuildFailed, target: id,
                        detail: [
                            "reason": "no subject enrolled", "refusals": "\(outcome.refusals.count)",
                        ]), at: now)
                return
            }
            try db.execute(
                sql: """
                    UPDATE watchlist_draft SET state = ?, failure = NULL, built_at_ms = ?, built_subjects = ?,
                    built_templates = ?,
                        built_cohort_faces = ?, built_threshold = ?, bundle = ? WHERE id = ?
                    """,
                arguments: [
                    WatchlistDraftState.built.rawValue, milliseconds(now), enrolled, outcome.templates,
                    outcome.cohortFaces,
                    Double(outcome.threshold), Data(bundle), id,
                ])
            try audit.append(
                AuditEvent(
                    actor: actor, action: .watchlistBuilt, target: id,
                    detail: [
                        "bundle_sha256": sha256Hex(bundle), "subjects": "\(enrolled)", "left_out": "\(leftOut.count)",
                        "templates": "\(outcome.templates)",
                        "cohort_faces": "\(outcome.cohortFaces)",
                        "refused_photos": "\(outcome.refusals.filter { $0.position != nil }.count)",
                        "threshold": "\(outcome.threshold)",
                    ]), at: now)
        }
    }

    /// Records a build that could not run (models missing, bad cohort, a restart mid-build).
    public static func recordBuildFailure(
        _ id: String, reason: String, by actor: String, in database: CoordinatorDatabase, at now: Date
    ) throws {
        try database.change { db, audit in
            try db.execute(
                sql: "UPDATE watchlist_draft SET state = ?, failure = ? WHERE id = ? AND state = ?",
                arguments: [WatchlistDraftState.failed.rawValue, reason, id, WatchlistDraftState.building.rawValue])
            guard db.changesCount > 0 else { return }
            try audit.append(
                AuditEvent(actor: actor, action: .watchlistBuildFailed, target: id, detail: ["reason": reason]), at: now
            )
        }
    }

    /// Builds that a stopped coordinator left half done: marked failed so that they can be built again.
    public static func failInterruptedBuilds(in database: CoordinatorDatabase, at now: Date) throws {
        let building = try database.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM watchlist_draft WHERE state = ?",
                arguments: [WatchlistDraftState.building.rawValue])
        }
        for id in building {
            try recordBuildFailure(
                id, reason: "the coordinator stopped during the build: build again", by: "coordinator", in: database,
                at: now)
        }
    }

    /// The built bundle as the signers receive it (with the signatures so far), audited as a download.
    public static func bundleForSigning(_ id: String, by actor: String, in database: CoordinatorDatabase, at now: Date)
        throws -> [UInt8]
    {
        try database.change { db, audit in
            let bundle = try signedBundle(id, db)
            try audit.append(
                AuditEvent(
                    actor: actor, action: .watchlistDownloaded, target: id,
                    detail: [
                        "bundle_sha256": sha256Hex(SignedBundle(payload: bundle.payload).fileBytes()),
                        "signatures": "\(bundle.signatures.count)",
                    ]), at: now)
            return bundle.fileBytes()
        }
    }

    /// The built bundle with every signature taken so far.
    public static func signedBundle(_ id: String, in database: CoordinatorDatabase) throws -> [UInt8] {
        try database.read { db in try signedBundle(id, db).fileBytes() }
    }

    /// Takes the signatures of a bundle file signed offline. The file must carry the payload built
    /// here, every signature on it must be valid, and each key one the nodes trust. Returns the
    /// key ids newly recorded.
    @discardableResult
    public static func addSignatures(
        _ id: String, fileBytes: [UInt8], signers: WatchlistSigners, by actor: String,
        in database: CoordinatorDatabase, at now: Date
    ) throws -> [String] {
        let uploaded: SignedBundle
        do {
            uploaded = try SignedBundle.decode(
                fileBytes: fileBytes, maxPayloadBytes: WatchlistBundle.Limits().maxPayloadBytes)
        } catch {
            throw WatchlistDraftRefusal(
                .notABundle, id,
                "the uploaded file is not a Watchpost bundle (\(error)): upload the file that coordinator watchlist sign wrote"
            )
        }
        guard !uploaded.signatures.isEmpty else {
            throw WatchlistDraftRefusal(
                .bundleUnsigned, id,
                "the uploaded bundle carries no signature: sign it offline with coordinator watchlist sign --bundle FILE --key YOUR.key"
            )
        }
        if let bad = uploaded.signatures.first(where: { !uploaded.isValid($0) }) {
            throw WatchlistDraftRefusal(
                .signatureInvalid, signerKeyID(bad.publicKey),
                "the signature by key \(signerKeyID(bad.publicKey)) does not match the bundle: it was altered after signing; nothing was recorded"
            )
        }
        if let stranger = uploaded.signatures.first(where: { !signers.trusts($0.publicKey) }) {
            throw WatchlistDraftRefusal(
                .untrustedSigner, signerKeyID(stranger.publicKey),
                "key \(signerKeyID(stranger.publicKey)) is not one of the signers the nodes trust (watchlists.signers in the config); nothing was recorded"
            )
        }
        return try database.change { db, audit in
            let draft = try require(id, db)
            guard draft.state == .built,
                let stored = try Data.fetchOne(
                    db, sql: "SELECT bundle FROM watchlist_draft WHERE id = ?", arguments: [id])
            else {
                throw WatchlistDraftRefusal(
                    .notSignable, id,
                    "watchlist \(id) is \(draft.state.rawValue): only a built, unplanned bundle takes signatures")
            }
            let built = try SignedBundle.decode(
                fileBytes: Array(stored), maxPayloadBytes: WatchlistBundle.Limits().maxPayloadBytes)
            guard built.payload == uploaded.payload else {
                throw WatchlistDraftRefusal(
                    .bundleNotBuiltHere, id,
                    "the uploaded bundle's content is not the one built here for \(id): sign the file downloaded from this page"
                )
            }
            let held = Set(draft.signatures.map(\.publicKey))
            let new = uploaded.signatures.filter { !held.contains($0.publicKey) }
            for s in new {
                try db.execute(
                    sql: """
                        INSERT INTO watchlist_draft_signature (draft_id, key_id, public_key, signature, uploaded_by,
                        uploaded_at_ms) VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, signerKeyID(s.publicKey), Data(s.publicKey), Data(s.signature), actor, milliseconds(now),
                    ])
            }
            let ids = new.map { signerKeyID($0.publicKey) }
            try audit.append(
                AuditEvent(
                    actor: actor, action: .watchlistSigned, target: id,
                    detail: [
                        "new_signers": new.map { signers.name(of: $0.publicKey) }.joined(separator: ", "),
                        "keys": ids.joined(separator: ","),
                        "signatures": "\(held.count + new.count)",
                    ]), at: now)
            return ids
        }
    }

    /// The subjects of a built draft as a deployment records them, each with its reference photo
    /// (its first enrolled photo); throws when the manifest lacked what the record needs.
    public static func listedSubjects(_ id: String, in database: CoordinatorDatabase) throws -> [ListedSubject] {
        try database.read { db in
            let draft = try require(id, db)
            return try draft.subjects.filter { $0.enrolled == true }.map { s in
                let reference = s.photos.first { $0.refusal == nil } ?? s.photos[0]
                let photo =
                    try Data.fetchOne(
                        db,
                        sql:
                            "SELECT photo FROM watchlist_draft_photo WHERE draft_id = ? AND subject_id = ? AND position = ?",
                        arguments: [id, s.subjectID, reference.position]) ?? Data()
                return try WatchlistManifest.listed(
                    line: s.line, id: s.subjectID, category: s.category, reason: s.reason, legalBasis: s.legalBasis,
                    under18: s.under18, imageSource: s.imageSource, manifest: draft.manifestName,
                    referencePhoto: Array(photo))
            }
        }
    }

    /// Records that a deployment was planned with this draft's bundle: it takes no more builds or signatures.
    static func markPlanned(_ id: String, _ db: GRDB.Database) throws {
        try db.execute(
            sql: "UPDATE watchlist_draft SET state = ? WHERE id = ?",
            arguments: [WatchlistDraftState.planned.rawValue, id])
        guard db.changesCount == 1 else {
            throw WatchlistDraftRefusal(.notFound, id, "no watchlist draft \(id): upload the list again")
        }
    }

    /// Deletes a draft that will not be used, with its photos (secure delete overwrites them, and
    /// the write-ahead log is truncated after).
    public static func discard(_ id: String, by actor: String, in database: CoordinatorDatabase, at now: Date) throws {
        try database.destroy { db, audit in
            let draft = try require(id, db)
            guard draft.state != .building else {
                throw WatchlistDraftRefusal(
                    .beingBuilt, id, "watchlist \(id) is being built: discard it when the build ends")
            }
            try db.execute(sql: "DELETE FROM watchlist_draft WHERE id = ?", arguments: [id])
            try audit.append(
                AuditEvent(
                    actor: actor, action: .watchlistDiscarded, target: id,
                    detail: [
                        "deployment": draft.binding.deploymentID, "state": draft.state.rawValue,
                    ]), at: now)
        }
    }

    /// Deletes the drafts uploaded before `cutoff` that no deployment took (retention), with their
    /// photos; each deletion is audited. Returns their ids.
    static func destroyUnplanned(
        uploadedBefore cutoff: Date, in database: CoordinatorDatabase, at now: Date, actor: String
    ) throws -> [String] {
        try database.destroy { db, audit in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM watchlist_draft WHERE created_at_ms < ? AND state NOT IN (?, ?) ORDER BY id",
                arguments: [
                    milliseconds(cutoff), WatchlistDraftState.planned.rawValue, WatchlistDraftState.building.rawValue,
                ])
            for id in ids {
                try db.execute(sql: "DELETE FROM watchlist_draft WHERE id = ?", arguments: [id])
                try audit.append(
                    AuditEvent(
                        actor: actor, action: .watchlistDiscarded, target: id,
                        detail: ["reason": "retention: never planned"]), at: now)
            }
            return ids
        }
    }

    /// Deletes every draft bound to a deployment whose bundle is destroyed: its photos go with the list.
    static func destroyDrafts(ofDeployment deployment: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM watchlist_draft WHERE deployment_id = ?", arguments: [deployment])
    }

    // MARK: - Reading

    private static func require(_ id: String, _ db: Database) throws -> WatchlistDraft {
        guard let draft = try load(id, db) else { throw WatchlistDraftRefusal(.notFound, id, "no watchlist \(id)") }
        return draft
    }

    private static func signedBundle(_ id: String, _ db: Database) throws -> SignedBundle {
        let draft = try require(id, db)
        guard
            let stored = try Data.fetchOne(db, sql: "SELECT bundle FROM watchlist_draft WHERE id = ?", arguments: [id])
        else {
            throw WatchlistDraftRefusal(.noBundleYet, id, "watchlist \(id) has no bundle yet: build it first")
        }
        let built = try SignedBundle.decode(
            fileBytes: Array(stored), maxPayloadBytes: WatchlistBundle.Limits().maxPayloadBytes)
        let signatures = try Row.fetchAll(
            db,
            sql:
                "SELECT public_key, signature FROM watchlist_draft_signature WHERE draft_id = ? ORDER BY uploaded_at_ms, key_id",
            arguments: [draft.id]
        ).map {
            SignedBundle.Signature(
                publicKey: Array($0["public_key"] as Data), signature: Array($0["signature"] as Data))
        }
        return SignedBundle(payload: built.payload, signatures: signatures)
    }

    private static func load(_ id: String, _ db: Database) throws -> WatchlistDraft? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM watchlist_draft WHERE id = ?", arguments: [id]) else {
            return nil
        }
        let photos = Dictionary(
            grouping: try Row.fetchAll(
                db,
                sql: """
                    SELECT subject_id, position, file_name, refusal,
                    face_box FROM watchlist_draft_photo WHERE draft_id = ? ORDER BY subject_id, position
                    """, arguments: [id]), by: { $0["subject_id"] as String })
        let subjects = try Row.fetchAll(
            db, sql: "SELECT * FROM watchlist_draft_subject WHERE draft_id = ? ORDER BY line", arguments: [id]
        ).map { s in
            let subjectID: String = s["subject_id"]
            return WatchlistDraft.Subject(
                subjectID: subjectID, line: s["line"], displayName: s["display_name"], category: s["category"],
                reason: s["reason"],
                imageSource: s["image_source"], legalBasis: s["legal_basis"], under18: s["under_18"],
                enrolled: s["enrolled"],
                photos: (photos[subjectID] ?? []).map {
                    WatchlistDraft.Photo(
                        position: $0["position"], fileName: $0["file_name"], refusal: $0["refusal"],
                        mark: ($0["face_box"] as String?).flatMap(FaceMark.init(text:)))
                })
        }
        let signatures = try Row.fetchAll(
            db,
            sql: """
                SELECT key_id, public_key, uploaded_by,
                uploaded_at_ms FROM watchlist_draft_signature WHERE draft_id = ? ORDER BY uploaded_at_ms, key_id
                """, arguments: [id]
        ).map {
            WatchlistDraft.Signature(
                keyID: $0["key_id"], publicKey: Array($0["public_key"] as Data), uploadedBy: $0["uploaded_by"],
                uploadedAt: date(milliseconds: $0["uploaded_at_ms"]))
        }
        let build: WatchlistDraft.Build? = (row["built_at_ms"] as Int64?).map {
            WatchlistDraft.Build(
                at: date(milliseconds: $0), subjects: row["built_subjects"], templates: row["built_templates"],
                cohortFaces: row["built_cohort_faces"], threshold: Float(row["built_threshold"] as Double))
        }
        return WatchlistDraft(
            id: id,
            binding: WatchlistBinding(
                deploymentID: row["deployment_id"], watchlistID: row["watchlist_id"],
                version: UInt64(row["version"] as Int64),
                notBefore: (row["not_before_ms"] as Int64?).map { date(milliseconds: $0) },
                expiresAt: date(milliseconds: row["expires_at_ms"]),
                threshold: (row["threshold"] as Double?).map(Float.init),
                faceChoice: row["face_choice"], photos: row["photos"]),
            state: WatchlistDraftState(rawValue: row["state"]) ?? .failed, failure: row["failure"],
            manifestName: row["manifest_name"],
            createdBy: row["created_by"], createdAt: date(milliseconds: row["created_at_ms"]), build: build,
            subjects: subjects, signatures: signatures)
    }

    // MARK: - Checks

    private static func check(_ b: WatchlistBinding, now: Date) throws {
        guard !b.deploymentID.isEmpty, b.deploymentID.utf8.count <= 64,
            b.deploymentID.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else {
            throw WatchlistDraftRefusal(
                .invalidDeploymentID, b.deploymentID,
                "deployment id '\(b.deploymentID)' must be 1-64 letters, digits, '-', '_' or '.' (the id the deployment will be planned with)"
            )
        }
        guard !b.watchlistID.trimmingCharacters(in: .whitespaces).isEmpty, b.watchlistID.utf8.count <= 64 else {
            throw WatchlistDraftRefusal(.invalidWatchlistID, b.watchlistID, "watchlist id must be 1-64 characters")
        }
        guard b.version >= 1 else {
            throw WatchlistDraftRefusal(
                .invalidVersion, "\(b.version)", "version must be 1 or more, above the version the nodes hold")
        }
        guard b.expiresAt > (b.notBefore ?? now) else {
            throw WatchlistDraftRefusal(
                .expiresBeforeValid, iso(b.expiresAt), "the list must expire after it becomes valid")
        }
        if let t = b.threshold, !(t > 0 && t < 2) {
            throw WatchlistDraftRefusal(.invalidThreshold, "\(t)", "threshold must be a score between 0 and 2")
        }
        guard WatchlistBinding.faceChoices.contains(b.faceChoice) else {
            throw WatchlistDraftRefusal(
                .unknownFaceChoice, b.faceChoice,
                "face choice '\(b.faceChoice)' must be one of \(WatchlistBinding.faceChoices.joined(separator: ", "))")
        }
        guard WatchlistBinding.photoChoices.contains(b.photos) else {
            throw WatchlistDraftRefusal(
                .unknownPhotosChoice, b.photos,
                "photos '\(b.photos)' must be one of \(WatchlistBinding.photoChoices.joined(separator: ", "))")
        }
    }

    private static func newDraftID() -> String {
        "wl-" + (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

/// The SHA-256 of some bytes in lower-case hex, as the record names bundles and tokens.
func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
