import CoordinatorRecord
import Foundation
import Hummingbird
import ImageHeaders
import Logging
import Shared

/// The intelligence team's pages: upload a manifest with its photos, see each refused photo and
/// why, build the bundle, download it for offline signing, upload the signatures, see who signed,
/// and plan the deployment with it. Signing keys never reach this server.
struct WatchlistRoutes {
    let database: CoordinatorDatabase
    let access: Access
    let pages: PageRenderer
    let compiler: any WatchlistCompiling
    let builds: WatchlistBuildQueue
    let signers: WatchlistSigners
    let uploadLimit: Int
    let clock: WallClock

    func add(to router: Router<WebRequestContext>) {
        router.get("/watchlists") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.watchlists, request, context)
                return try listPage(session)
            }
        }
        router.post("/watchlists") { request, context -> Response in
            try await guarded {
                let (session, form) = try await access.requireUpload(
                    Access.watchlists, request, context, limit: uploadLimit)
                return try await offloaded {
                    do {
                        let upload = try Self.upload(form)
                        let id = try WatchlistDraftStore.upload(
                            upload, by: session.user.name, in: database, at: clock.now())
                        return Response.redirect(to: "/watchlists/\(id)", type: .found)
                    } catch let refusal where isShownToUser(refusal) {
                        return try listPage(session, error: "\(refusal)", status: status(of: refusal))
                    }
                }
            }
        }
        router.get("/watchlists/:id") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.watchlists, request, context)
                return try draftPage(try Self.id(context), session)
            }
        }
        router.get("/watchlists/:id/photos/:subject/:position") { request, context -> Response in
            try await offloaded {
                _ = try access.require(Access.watchlists, request, context)
                guard let subject = context.parameters.get("subject")?.removingPercentEncoding,
                    let position = context.parameters.get("position", as: Int.self),
                    let photo = try WatchlistDraftStore.photo(
                        draft: try Self.id(context), subject: subject, position: position, in: database)
                else {
                    return Response(status: .notFound)
                }
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: photo.first == 0x89 ? "image/png" : "image/jpeg", .cacheControl: "no-store",
                        .init("X-Content-Type-Options")!: "nosniff",
                    ],
                    body: .init(byteBuffer: ByteBuffer(bytes: photo)))
            }
        }
        router.post("/watchlists/:id/photos/:subject/:position/face") { request, context -> Response in
            try await guarded {
                let (session, form) = try await access.requireForm(Access.watchlists, request, context)
                return try await offloaded {
                    let id = try Self.id(context)
                    guard let subject = context.parameters.get("subject")?.removingPercentEncoding,
                        let position = context.parameters.get("position", as: Int.self)
                    else { return Response(status: .notFound) }
                    guard let face = form.text("face").flatMap(Int.init) else {
                        throw FormRefusal(.notANumber, "face", "pick a face: its number")
                    }
                    return try change(id, session) {
                        try WatchlistDraftStore.markFace(
                            id, subject: subject, position: position, face: face, by: session.user.name, in: database,
                            at: clock.now())
                    }
                }
            }
        }
        router.post("/watchlists/:id/build") { request, context -> Response in
            try await guarded {
                let (session, _) = try await access.requireForm(Access.watchlists, request, context)
                return try await offloaded {
                    let id = try Self.id(context)
                    return try change(id, session) {
                        let input = try WatchlistDraftStore.beginBuild(
                            id, by: session.user.name, in: database, at: clock.now())
                        builds.submit(.init(draftID: id, input: input, actor: session.user.name))
                    }
                }
            }
        }
        router.get("/watchlists/:id/bundle") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.watchlists, request, context)
                let id = try Self.id(context)
                let bytes = try WatchlistDraftStore.bundleForSigning(
                    id, by: session.user.name, in: database, at: clock.now())
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: "application/octet-stream", .cacheControl: "no-store",
                        .contentDisposition: "attachment; filename=\"\(id).bundle\"",
                    ],
                    body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        router.post("/watchlists/:id/signatures") { request, context -> Response in
            try await guarded {
                let (session, form) = try await access.requireUpload(
                    Access.watchlists, request, context, limit: uploadLimit)
                return try await offloaded {
                    let id = try Self.id(context)
                    return try change(id, session) {
                        guard let file = form.files("bundle").first else {
                            throw FormRefusal(.missingFile, "bundle", "choose the signed bundle file to upload")
                        }
                        try WatchlistDraftStore.addSignatures(
                            id, fileBytes: file.body, signers: signers, by: session.user.name, in: database,
                            at: clock.now())
                    }
                }
            }
        }
        router.post("/watchlists/:id/plan") { request, context -> Response in
            try await guarded {
                let (session, form) = try await access.requireForm(Access.watchlists, request, context)
                return try await offloaded {
                    let id = try Self.id(context)
                    return try change(id, session, then: "/deployments") {
                        try checkSignatures(id)
                        let planning = DeploymentPlanning(database: database) { bundle in
                            try compiler.expectedPerformance(
                                threshold: bundle.threshold, listSize: bundle.entries.count,
                                enrolment: bundle.enrolment, cohortFaces: bundle.cohort.count)
                        }
                        _ = try planning.plan(draft: id, try Self.details(form), by: session.user.name, at: clock.now())
                    }
                }
            }
        }
        router.post("/watchlists/:id/discard") { request, context -> Response in
            try await guarded {
                let (session, _) = try await access.requireForm(Access.watchlists, request, context)
                return try await offloaded {
                    let id = try Self.id(context)
                    return try change(id, session, then: "/watchlists") {
                        try WatchlistDraftStore.discard(id, by: session.user.name, in: database, at: clock.now())
                    }
                }
            }
        }
    }

    /// Makes one change to draft `id`, then goes to `then` (the draft's page by default). A refusal
    /// the planner can act on is shown on the draft's page with its status; anything else is the
    /// error middleware's.
    private func change(_ id: String, _ session: Session, then: String? = nil, _ body: () throws -> Void) throws
        -> Response
    {
        do {
            try body()
        } catch let refusal where isShownToUser(refusal) {
            return try draftPage(id, session, error: "\(refusal)", status: status(of: refusal))
        }
        return Response.redirect(to: then ?? "/watchlists/\(id)", type: .found)
    }

    // MARK: - Pages

    private func listPage(_ session: Session, error: String? = nil, status: HTTPResponse.Status = .ok) throws
        -> Response
    {
        let rows = try WatchlistDraftStore.list(in: database).map { d -> [String: Any] in
            [
                "id": d.id, "deployment": d.binding.deploymentID, "watchlist": d.binding.watchlistID,
                "version": d.binding.version,
                "state": d.state.rawValue, "subjects": d.subjects.count, "refused": d.refusedPhotos,
                "signatures": "\(d.signatures.count) of \(signers.required)",
                "created": "\(displayTime(d.createdAt)) by \(d.createdBy)",
            ]
        }
        var values: [String: Any] = ["drafts": rows, "csrf": session.csrfToken, "maxMiB": uploadLimit >> 20]
        values["error"] = error
        return pages.page("watchlists", title: "Watchlists", session: session, values, status: status)
    }

    private func draftPage(_ id: String, _ session: Session, error: String? = nil, status: HTTPResponse.Status = .ok)
        throws -> Response
    {
        guard let d = try WatchlistDraftStore.load(id, in: database) else {
            throw WatchlistDraftRefusal(.notFound, id, "no watchlist \(id)")
        }
        let iso = ISO8601DateFormatter()
        let subjects = try d.subjects.map { s -> [String: Any] in
            [
                "id": s.subjectID, "line": s.line, "name": s.displayName, "category": s.category, "reason": s.reason,
                "leftOut": s.enrolled == false, "under18": s.under18 == true,
                "photos": try s.photos.map { p -> [String: Any] in
                    var photo: [String: Any] = [
                        "src": "/watchlists/\(d.id)/photos/\(Self.pathSegment(s.subjectID))/\(p.position)",
                        "file": p.fileName,
                    ]
                    photo["refusal"] = p.refusal
                    if p.mark == nil, !p.facesFound.isEmpty {
                        photo["pick"] = try facePicker(d.id, subject: s, photo: p)
                    }
                    photo["mark"] = p.mark.map {
                        String(format: "face marked at x %.0f, y %.0f, %.0f x %.0f px", $0.x, $0.y, $0.width, $0.height)
                    }
                    return photo
                },
            ]
        }
        let signatures = d.signatures.map { s -> [String: Any] in
            [
                "name": signers.name(of: s.publicKey), "key": s.keyID, "trusted": signers.trusts(s.publicKey),
                "uploaded": "\(displayTime(s.uploadedAt)) by \(s.uploadedBy)",
            ]
        }
        var values: [String: Any] = [
            "id": d.id, "deployment": d.binding.deploymentID, "watchlist": d.binding.watchlistID,
            "version": d.binding.version,
            "validity":
                "\(d.binding.notBefore.map(displayTime) ?? "from the build") to \(displayTime(d.binding.expiresAt))",
            "threshold": d.binding.threshold.map { String(format: "%.3f", $0) } ?? "chosen from the evaluation report",
            "face": d.binding.faceChoice.rawValue, "photos": d.binding.photos.rawValue,
            "state": d.state.rawValue, "csrf": session.csrfToken,
            "created": "\(displayTime(d.createdAt)) by \(d.createdBy) from \(d.manifestName)",
            "subjects": subjects, "refused": d.refusedPhotos, "signatures": signatures, "required": signers.required,
            "building": d.state == .building,
            "canBuild": [.uploaded, .failed, .built].contains(d.state) && d.signatures.isEmpty,
            "canSign": d.state == .built, "canDiscard": d.state != .building,
        ]
        values["failure"] = d.failure
        values["error"] = error
        if let build = d.build {
            values["build"] = [
                "at": displayTime(build.at), "subjects": build.subjects, "templates": build.templates,
                "cohort": build.cohortFaces, "threshold": String(format: "%.3f", build.threshold),
            ]
            if d.state == .built, signers.suffice(d.signatures) {
                do {
                    let e = try compiler.expectedPerformance(
                        threshold: build.threshold, listSize: build.subjects, enrolment: d.enrolment,
                        cohortFaces: build.cohortFaces)
                    values["plan"] = [
                        "tpir": String(format: "%.3f [%.3f, %.3f]", e.tpir, e.tpirInterval[0], e.tpirInterval[1]),
                        "fpir": String(format: "%.5f [%.5f, %.5f]", e.fpir, e.fpirInterval[0], e.fpirInterval[1]),
                        "evaluated": e.evaluatedListSize,
                        "from": iso.string(from: max(clock.now(), d.binding.notBefore ?? clock.now())),
                        "to": iso.string(from: d.binding.expiresAt),
                        "nodes": try NodeRegistry.statuses(in: database).filter { !$0.revoked }.map {
                            ["id": $0.node.nodeID]
                        },
                    ]
                } catch let refusal where isShownToUser(refusal) {
                    values["planBlocked"] = "\(refusal)"
                }
            }
        }
        return pages.page(
            "watchlist", title: "Watchlist \(d.binding.watchlistID) v\(d.binding.version)", session: session, values,
            status: status)
    }

    /// The faces a refused photo holds, as buttons over the photo: each posts its index to mark
    /// that face as the subject's. Placed in percent of the photo's size, read from its header.
    private func facePicker(_ draft: String, subject: WatchlistDraft.Subject, photo: WatchlistDraft.Photo) throws
        -> [String: Any]?
    {
        guard
            let bytes = try WatchlistDraftStore.photo(
                draft: draft, subject: subject.subjectID, position: photo.position, in: database),
            let header = try? ImageHeader(bytes, name: photo.fileName)
        else { return nil }
        let w = Float(header.width), h = Float(header.height)
        let percent = { (v: Float, of: Float) in String(format: "%.2f%%", max(0, min(100, v / of * 100))) }
        return [
            "name": subject.displayName, "count": photo.facesFound.count,
            "faces": photo.facesFound.enumerated().map { i, box -> [String: Any] in
                [
                    "index": i, "number": i + 1,
                    "action":
                        "/watchlists/\(draft)/photos/\(Self.pathSegment(subject.subjectID))/\(photo.position)/face",
                    "style":
                        "left:\(percent(box.x, w));top:\(percent(box.y, h));width:\(percent(box.width, w));height:\(percent(box.height, h))",
                ]
            },
        ]
    }

    // MARK: - Forms

    /// A subject id as one path segment (ids are free text from the manifest).
    private static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    private static func id(_ context: WebRequestContext) throws -> String {
        guard let id = context.parameters.get("id") else { throw FormRefusal(.missingField, "id", "no watchlist id") }
        return id
    }

    private static func upload(_ form: MultipartForm) throws -> WatchlistUpload {
        guard let manifest = form.files("manifest").first else {
            throw FormRefusal(.missingFile, "manifest", "choose the manifest CSV file")
        }
        let photos = form.files("photos")
        guard !photos.isEmpty else { throw FormRefusal(.missingFile, "photos", "choose the photos the manifest names") }
        var byName: [String: [UInt8]] = [:]
        for photo in photos {
            guard byName.updateValue(photo.body, forKey: photo.fileName!) == nil else {
                throw FormRefusal(
                    .repeatedPhotoName, photo.fileName!,
                    "two photos are named \(photo.fileName!): give each photo its own file name")
            }
        }
        guard let deployment = form.text("deployment"), let watchlist = form.text("watchlist"),
            let versionText = form.text("version"),
            let expiresText = form.text("expires")
        else {
            throw FormRefusal(
                .missingField, "deployment, watchlist id, version, expiry",
                "deployment, watchlist id, version and expiry are all required")
        }
        guard let version = UInt64(versionText) else {
            throw FormRefusal(.notANumber, versionText, "version '\(versionText)' is not a whole number")
        }
        let threshold = try form.text("threshold").map { text -> Float in
            guard let value = Float(text) else {
                throw FormRefusal(.notANumber, text, "threshold '\(text)' is not a number")
            }
            return value
        }
        return WatchlistUpload(
            binding: WatchlistBinding(
                deploymentID: deployment, watchlistID: watchlist, version: version,
                notBefore: try form.text("not_before").map { try formTime($0, "valid from") },
                expiresAt: try formTime(expiresText, "expires"), threshold: threshold,
                faceChoice: try form.text("face").map(WatchlistBinding.faceChoice(named:)) ?? .only,
                photos: try form.text("photos").map(WatchlistBinding.photos(named:)) ?? .separate),
            manifestName: manifest.fileName!,
            manifestText: try CSVTable.utf8Text(manifest.body, file: manifest.fileName!),
            photos: byName)
    }

    /// The nodes take a bundle only with enough of their trusted signers' signatures: planning
    /// with fewer would record a deployment no node could run.
    private func checkSignatures(_ id: String) throws {
        guard let draft = try WatchlistDraftStore.load(id, in: database), draft.build != nil else {
            throw WatchlistDraftRefusal(.noBundleYet, id, "no built watchlist \(id)")
        }
        guard signers.suffice(draft.signatures) else {
            throw FormRefusal(
                .tooFewSignatures, "\(draft.signatures.count)",
                "the bundle has \(draft.signatures.count) signature(s); the nodes require \(signers.required)")
        }
    }

    /// The plan form's fields for the record.
    private static func details(_ form: FormBody) throws -> DeploymentPlanning.Details {
        func number(_ key: String, _ label: String) throws -> Double {
            guard let text = form.text(key), let value = Double(text) else {
                throw FormRefusal(.notANumber, label, "\(label) must be a number")
            }
            return value
        }
        func text(_ key: String, _ label: String) throws -> String {
            guard let value = form.text(key) else {
                throw FormRefusal(.missingField, label, "\(label) is required: it goes on the record")
            }
            return value
        }
        return DeploymentPlanning.Details(
            placeName: try text("place", "place"), latitude: try number("latitude", "latitude"),
            longitude: try number("longitude", "longitude"),
            windowStart: try formTime(try text("from", "from"), "from"),
            windowEnd: try formTime(try text("to", "to"), "to"), purpose: try text("purpose", "purpose"),
            legalBasis: try text("legal_basis", "legal basis"),
            nodes: (form.text("nodes") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty })
    }
}

/// A time typed in a form: ISO 8601 (2026-12-01T08:00:00Z) or a browser's datetime-local (UTC).
func formTime(_ text: String, _ label: String) throws -> Date {
    if let date = ISO8601DateFormatter().date(from: text) { return date }
    let local = DateFormatter()
    local.locale = Locale(identifier: "en_US_POSIX")
    local.timeZone = TimeZone(identifier: "UTC")
    for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
        local.dateFormat = format
        if let date = local.date(from: text) { return date }
    }
    throw FormRefusal(.notATime, text, "\(label) '\(text)' is not a time: write it as 2026-12-01T08:00:00Z")
}
