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
            try WatchlistDraftRow(
                id: id, deploymentID: b.deploymentID, watchlistID: b.watchlistID, version: Int64(clamping: b.version),
                notBeforeMs: b.notBefore.map(milliseconds), expiresAtMs: milliseconds(b.expiresAt),
                threshold: b.threshold.map { Double($0) }, faceChoice: b.faceChoice.rawValue, photos: b.photos.rawValue,
                state: WatchlistDraftState.uploaded.rawValue, manifestName: upload.manifestName, createdBy: actor,
                createdAtMs: milliseconds(now)
            ).insert(db)
            for s in manifest.subjects {
                try WatchlistDraftSubjectRow(
                    draftID: id, subjectID: s.id, line: s.line, displayName: s.displayName, category: s.category,
                    reason: s.reason, warning: s.warning, imageSource: s.imageSource, legalBasis: s.legalBasis,
                    under18: s.under18
                ).insert(db)
                for (position, name) in s.images.enumerated() {
                    let mark = position < s.faceMarks.count ? s.faceMarks[position] : nil
                    try WatchlistDraftPhotoRow(
                        draftID: id, subjectID: s.id, position: position, fileName: name,
                        photo: Data(upload.photos[name]!), faceBox: mark?.text
                    ).insert(db)
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
            try WatchlistDraftRow.order(WatchlistDraftRow.Columns.createdAtMs.desc, WatchlistDraftRow.Columns.id)
                .select(WatchlistDraftRow.Columns.id, as: String.self).fetchAll(db).compactMap { try load($0, db) }
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
            try WatchlistDraftPhotoRow.bytes(draft: draft, subject: subject, position: position, db).map { Array($0) }
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
            try WatchlistDraftRow.filter(key: id).updateAll(
                db, WatchlistDraftRow.Columns.state.set(to: WatchlistDraftState.building.rawValue),
                WatchlistDraftRow.Columns.failure.set(to: nil))
            let subjects = try draft.subjects.map { s in
                WatchlistBuildInput.Subject(
                    subjectID: s.subjectID, line: s.line,
                    photos: try s.photos.map { p in
                        let bytes =
                            try WatchlistDraftPhotoRow.bytes(draft: id, subject: s.subjectID, position: p.position, db)
                            ?? Data()
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
            let photos = WatchlistDraftPhotoRow.filter(WatchlistDraftPhotoRow.Columns.draftID == id)
            try photos.updateAll(
                db, WatchlistDraftPhotoRow.Columns.refusal.set(to: nil),
                WatchlistDraftPhotoRow.Columns.facesFound.set(to: nil))
            for r in outcome.refusals {
                guard let subject = r.subjectID, let position = r.position else { continue }
                try photos.filter(
                    WatchlistDraftPhotoRow.Columns.subjectID == subject
                        && WatchlistDraftPhotoRow.Columns.position == position
                ).updateAll(
                    db, WatchlistDraftPhotoRow.Columns.refusal.set(to: r.reason),
                    WatchlistDraftPhotoRow.Columns.facesFound.set(
                        to: r.facesFound.isEmpty ? nil : r.facesFound.map(\.text).joined(separator: ";")))
            }
            let leftOut = Set(outcome.refusals.filter { $0.position == nil }.compactMap(\.subjectID))
            for s in draft.subjects {
                try WatchlistDraftSubjectRow.filter(key: ["draft_id": id, "subject_id": s.subjectID]).updateAll(
                    db, WatchlistDraftSubjectRow.Columns.enrolled.set(to: !leftOut.contains(s.subjectID)))
            }
            let enrolled = draft.subjects.count - leftOut.count
            guard let bundle = outcome.bundleFile else {
                try WatchlistDraftRow.filter(key: id).updateAll(
                    db, WatchlistDraftRow.Columns.state.set(to: WatchlistDraftState.failed.rawValue),
                    WatchlistDraftRow.Columns.failure.set(
                        to: "no subject could be enrolled: replace the refused photos"),
                    WatchlistDraftRow.Columns.bundle.set(to: nil))
                try audit.append(
                    AuditEvent(
                        actor: actor, action: .watchlistBuildFailed, target: id,
                        detail: [
                            "reason": "no subject enrolled", "refusals": "\(outcome.refusals.count)",
                        ]), at: now)
                return
            }
            typealias Draft = WatchlistDraftRow.Columns
            try WatchlistDraftRow.filter(key: id).updateAll(
                db, Draft.state.set(to: WatchlistDraftState.built.rawValue), Draft.failure.set(to: nil),
                Draft.builtAtMs.set(to: milliseconds(now)), Draft.builtSubjects.set(to: enrolled),
                Draft.builtTemplates.set(to: outcome.templates), Draft.builtCohortFaces.set(to: outcome.cohortFaces),
                Draft.builtThreshold.set(to: Double(outcome.threshold)), Draft.bundle.set(to: Data(bundle)))
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

    /// Takes one of the faces the last build found in a refused photo as the subject's (as the
    /// manifest's `face_boxes` would mark it); the next build enrols the photo with it. A build
    /// already made is set aside, so that nothing is signed without the face. Audited.
    public static func markFace(
        _ id: String, subject: String, position: Int, face: Int, by actor: String, in database: CoordinatorDatabase,
        at now: Date
    ) throws {
        try database.change { db, audit in
            let draft = try require(id, db)
            guard [.uploaded, .failed, .built].contains(draft.state), draft.signatures.isEmpty else {
                throw WatchlistDraftRefusal(
                    .notBuildable, id,
                    "watchlist \(id) is \(draft.state.rawValue)\(draft.signatures.isEmpty ? "" : " and signed"): its photos cannot change now"
                )
            }
            let key: [String: any DatabaseValueConvertible] = [
                "draft_id": id, "subject_id": subject, "position": position,
            ]
            guard let photo = try WatchlistDraftPhotoRow.filter(key: key).fetchOne(db) else {
                throw WatchlistDraftRefusal(
                    .photoNotFound, "\(subject)/\(position)", "watchlist \(id) has no photo \(position) of \(subject)")
            }
            let faces = photo.faces
            guard faces.indices.contains(face) else {
                throw WatchlistDraftRefusal(
                    .noSuchFace, "\(face)",
                    "the last build found \(faces.count) face(s) in this photo: pick one of them, or build again")
            }
            try WatchlistDraftPhotoRow.filter(key: key).updateAll(
                db, WatchlistDraftPhotoRow.Columns.faceBox.set(to: faces[face].text))
            if draft.state == .built {
                try WatchlistDraftRow.filter(key: id).updateAll(
                    db, WatchlistDraftRow.Columns.state.set(to: WatchlistDraftState.uploaded.rawValue),
                    WatchlistDraftRow.Columns.bundle.set(to: nil))
            }
            try audit.append(
                AuditEvent(
                    actor: actor, action: .watchlistFaceMarked, target: id,
                    // Neither the subject nor the file's name: the log outlives the list's retention.
                    detail: ["photo_position": "\(position)", "face": faces[face].text]), at: now)
        }
    }

    /// Records a build that could not run (models missing, bad cohort, a restart mid-build).
    public static func recordBuildFailure(
        _ id: String, reason: String, by actor: String, in database: CoordinatorDatabase, at now: Date
    ) throws {
        try database.change { db, audit in
            let changed = try WatchlistDraftRow.inState(.building).filter(key: id).updateAll(
                db, WatchlistDraftRow.Columns.state.set(to: WatchlistDraftState.failed.rawValue),
                WatchlistDraftRow.Columns.failure.set(to: reason))
            guard changed > 0 else { return }
            try audit.append(
                AuditEvent(actor: actor, action: .watchlistBuildFailed, target: id, detail: ["reason": reason]), at: now
            )
        }
    }

    /// Builds that a stopped coordinator left half done: marked failed so that they can be built again.
    public static func failInterruptedBuilds(in database: CoordinatorDatabase, at now: Date) throws {
        let building = try database.read { db in
            try WatchlistDraftRow.inState(.building).select(WatchlistDraftRow.Columns.id, as: String.self).fetchAll(db)
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
            guard draft.state == .built, let stored = try WatchlistDraftRow.bundle(of: id, db) else {
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
                try WatchlistDraftSignatureRow(
                    draftID: id, keyID: signerKeyID(s.publicKey), publicKey: Data(s.publicKey),
                    signature: Data(s.signature), uploadedBy: actor, uploadedAtMs: milliseconds(now)
                ).insert(db)
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
                    try WatchlistDraftPhotoRow.bytes(draft: id, subject: s.subjectID, position: reference.position, db)
                    ?? Data()
                return try WatchlistManifest.listed(
                    line: s.line, id: s.subjectID, displayName: s.displayName, category: s.category, reason: s.reason,
                    warning: s.warning, legalBasis: s.legalBasis, under18: s.under18, imageSource: s.imageSource,
                    manifest: draft.manifestName, referencePhoto: Array(photo))
            }
        }
    }

    /// Records that a deployment was planned with this draft's bundle: it takes no more builds or signatures.
    static func markPlanned(_ id: String, _ db: GRDB.Database) throws {
        let changed = try WatchlistDraftRow.filter(key: id).updateAll(
            db, WatchlistDraftRow.Columns.state.set(to: WatchlistDraftState.planned.rawValue))
        guard changed == 1 else {
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
            try WatchlistDraftRow.deleteOne(db, key: id)
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
            let kept = [WatchlistDraftState.planned, .building].map(\.rawValue)
            let ids = try WatchlistDraftRow.filter(
                WatchlistDraftRow.Columns.createdAtMs < milliseconds(cutoff)
                    && !kept.contains(WatchlistDraftRow.Columns.state)
            ).order(WatchlistDraftRow.Columns.id).select(WatchlistDraftRow.Columns.id, as: String.self).fetchAll(db)
            for id in ids {
                try WatchlistDraftRow.deleteOne(db, key: id)
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
        try WatchlistDraftRow.filter(WatchlistDraftRow.Columns.deploymentID == deployment).deleteAll(db)
    }

    // MARK: - Reading

    private static func require(_ id: String, _ db: Database) throws -> WatchlistDraft {
        guard let draft = try load(id, db) else { throw WatchlistDraftRefusal(.notFound, id, "no watchlist \(id)") }
        return draft
    }

    private static func signedBundle(_ id: String, _ db: Database) throws -> SignedBundle {
        let draft = try require(id, db)
        guard let stored = try WatchlistDraftRow.bundle(of: id, db) else {
            throw WatchlistDraftRefusal(.noBundleYet, id, "watchlist \(id) has no bundle yet: build it first")
        }
        let built = try SignedBundle.decode(
            fileBytes: Array(stored), maxPayloadBytes: WatchlistBundle.Limits().maxPayloadBytes)
        let signatures = try WatchlistDraftSignatureRow.of(draft.id).fetchAll(db).map {
            SignedBundle.Signature(publicKey: Array($0.publicKey), signature: Array($0.signature))
        }
        return SignedBundle(payload: built.payload, signatures: signatures)
    }

    private static func load(_ id: String, _ db: Database) throws -> WatchlistDraft? {
        guard let row = try WatchlistDraftRow.fetchOne(db, key: id) else { return nil }
        func known<Value: RawRepresentable<String>>(_ text: String, _ column: WatchlistDraftRow.CodingKeys) throws
            -> Value
        {
            try DamagedRow.known(text, table: WatchlistDraftRow.databaseTableName, column: column.rawValue, key: id)
        }
        let state: WatchlistDraftState = try known(row.state, .state)
        let photos = Dictionary(
            grouping: try WatchlistDraftPhotoRow.filter(WatchlistDraftPhotoRow.Columns.draftID == id)
                .order(WatchlistDraftPhotoRow.Columns.subjectID, WatchlistDraftPhotoRow.Columns.position).fetchAll(db),
            by: \.subjectID)
        let subjects = try WatchlistDraftSubjectRow.filter(WatchlistDraftSubjectRow.Columns.draftID == id)
            .order(WatchlistDraftSubjectRow.Columns.line).fetchAll(db).map { s in
                WatchlistDraft.Subject(
                    subjectID: s.subjectID, line: s.line, displayName: s.displayName, category: s.category,
                    reason: s.reason, warning: s.warning, imageSource: s.imageSource, legalBasis: s.legalBasis,
                    under18: s.under18,
                    enrolled: s.enrolled,
                    photos: (photos[s.subjectID] ?? []).map {
                        WatchlistDraft.Photo(
                            position: $0.position, fileName: $0.fileName, refusal: $0.refusal,
                            mark: $0.faceBox.flatMap(FaceMark.init(text:)), facesFound: $0.faces)
                    })
            }
        let signatures = try WatchlistDraftSignatureRow.of(id).fetchAll(db).map {
            WatchlistDraft.Signature(
                keyID: $0.keyID, publicKey: Array($0.publicKey), uploadedBy: $0.uploadedBy,
                uploadedAt: date(milliseconds: $0.uploadedAtMs))
        }
        let build = try row.builtAtMs.map { at -> WatchlistDraft.Build in
            // A build's figures are written together: one missing is a row Watchpost never wrote.
            guard let subjects = row.builtSubjects, let templates = row.builtTemplates,
                let cohortFaces = row.builtCohortFaces, let threshold = row.builtThreshold
            else {
                throw DamagedRow(table: WatchlistDraftRow.databaseTableName, column: "built_*", key: id, value: "NULL")
            }
            return WatchlistDraft.Build(
                at: date(milliseconds: at), subjects: subjects, templates: templates, cohortFaces: cohortFaces,
                threshold: Float(threshold))
        }
        return WatchlistDraft(
            id: id,
            binding: WatchlistBinding(
                deploymentID: row.deploymentID, watchlistID: row.watchlistID, version: UInt64(row.version),
                notBefore: row.notBeforeMs.map(date(milliseconds:)), expiresAt: date(milliseconds: row.expiresAtMs),
                threshold: row.threshold.map(Float.init), faceChoice: try known(row.faceChoice, .faceChoice),
                photos: try known(row.photos, .photos)),
            state: state, failure: row.failure, manifestName: row.manifestName, createdBy: row.createdBy,
            createdAt: date(milliseconds: row.createdAtMs), build: build, subjects: subjects, signatures: signatures)
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
    }

    private static func newDraftID() -> String {
        "wl-" + (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

/// The SHA-256 of some bytes in lower-case hex, as the record names bundles and tokens.
func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
