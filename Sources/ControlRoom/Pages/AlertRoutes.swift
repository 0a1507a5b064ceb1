import CoordinatorRecord
import Foundation
import Hummingbird
import ImageHeaders
import Shared

/// The operators' pages: the live alert feed, an alert beside its figures, and the two
/// adjudication stages as one-click decisions.
struct AlertRoutes {
    let alerts: AlertStore
    let live: LiveStream
    let access: Access
    let pages: PageRenderer
    let clock: WallClock

    func add(to router: Router<WebRequestContext>) {
        router.get("/alerts") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.alerts, request, context)
                let deployment = request.uri.queryParameters["deployment"].map(String.init)
                let listed = try alerts.list(deployment: deployment, limit: 200)
                let names = try DeploymentStore.displayNames(
                    onListsOf: Set(listed.map(\.deploymentID)), in: alerts.database)
                let rows = RepeatAlerts.group(listed).map { group in
                    var row = Self.row(group.first, names: names)
                    if !group.repeats.isEmpty {
                        row["repeats"] = group.repeats.map {
                            ["id": $0.id.uuidString, "captured": displayTime($0.capturedAt)]
                        }
                        row["repeatCount"] = group.repeats.count
                    }
                    return row
                }
                let deployments = try DeploymentStore.list(in: alerts.database).filter { $0.state == .live }.map {
                    ["id": $0.id]
                }
                var values: [String: Any] = ["alerts": rows, "deployments": deployments]
                values["deployment"] = deployment
                return pages.page("alerts", title: "Alerts", session: session, values)
            }
        }
        router.get("/alerts/stream") { request, context -> Response in
            try await offloaded {
                _ = try access.require(Access.alerts, request, context)
                let deployment = request.uri.queryParameters["deployment"].map(String.init)
                let store = alerts
                return live.response(
                    token: request.cookies[SessionMiddleware.cookieName]?.value ?? "", roles: Access.alerts
                ) {
                    event, _ in
                    guard case .alert(let item) = event, deployment == nil || item.deploymentID == deployment else {
                        return nil
                    }
                    let alert = try store.show(item.alertID)
                    return Self.row(
                        alert,
                        names: try DeploymentStore.displayNames(onListsOf: [alert.deploymentID], in: store.database))
                }
            }
        }
        // The queue: the alert waiting longest for review, or a page saying none is.
        router.get("/alerts/next") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.alerts, request, context)
                guard let next = try alerts.oldestAwaitingReview() else {
                    return pages.page(
                        "message", title: "No alert waiting", session: session,
                        ["heading": "No alert is waiting for review", "text": "New alerts appear on the Alerts page."])
                }
                return Response.redirect(to: "/alerts/\(next.uuidString)", type: .found)
            }
        }
        router.get("/alerts/:id") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.alerts, request, context)
                let alert = try alerts.show(try Self.id(context))
                var values = Self.row(alert)
                values["hasCrop"] = alert.purgedAt == nil
                values["score"] = alert.score.map { String(format: "%.4f", $0) } ?? ""
                values["distance"] = alert.distance.map { String(format: "%.4f", $0) } ?? ""
                values["trackFrames"] =
                    alert.trackFrames.map { "\($0) frame\($0 == 1 ? "" : "s") of its track" } ?? "not said by the node"
                values["quality"] = AlertQuality.rows(alert.quality).map {
                    ["label": $0.label, "value": $0.value, "bar": $0.bar]
                }
                values["node"] = alert.nodeID
                values["reviewAfter"] = Self.after(alert.reviewAt, alert.capturedAt)
                values["outcomeAfter"] = Self.after(alert.outcomeAt, alert.capturedAt)
                values["caseReference"] = alert.caseReference ?? ""
                values["canReview"] = alert.review == nil && alert.purgedAt == nil
                values["canOutcome"] =
                    alert.review != nil && alert.review != .noMatch && alert.outcome == nil && alert.purgedAt == nil
                values["csrf"] = session.csrfToken
                values.merge(StopFields.templateValues) { mine, _ in mine }
                let listed = try alert.subject.flatMap {
                    try DeploymentStore.subject($0, onListOf: alert.deploymentID, in: alerts.database)
                }
                let name = listed?.displayName ?? alert.subject ?? "a purged alert"
                values["subjectName"] = name
                if let listed {
                    values["listed"] = ["category": listed.category, "reason": listed.reason]
                    if let warning = listed.warning { values["warning"] = warning }
                }
                let title = "\(name) on camera \(alert.cameraID), \(displayTime(alert.capturedAt))"
                return pages.page("alert", title: title, session: session, values)
            }
        }
        router.get("/alerts/:id/crop.jpg") { request, context -> Response in
            try await offloaded {
                _ = try access.require(Access.alerts, request, context)
                return Self.image(try alerts.crop(try Self.id(context)))
            }
        }
        router.get("/alerts/:id/reference") { request, context -> Response in
            try await offloaded {
                _ = try access.require(Access.alerts, request, context)
                return Self.image(
                    try Self.referencePhoto(of: try alerts.show(try Self.id(context)), in: alerts.database))
            }
        }
        router.post("/alerts/:id/review") { request, context -> Response in
            try await guarded {
                let (session, form) = try await access.requireForm(Access.alerts, request, context)
                return try await offloaded {
                    guard let decision = form["decision"].flatMap(ReviewDecision.init(rawValue:)) else {
                        return Response(status: .badRequest)
                    }
                    return try adjudicate(
                        .review(decision, note: form.text("note")), context: context, session: session)
                }
            }
        }
        router.post("/alerts/:id/outcome") { request, context -> Response in
            try await guarded {
                let (session, form) = try await access.requireForm(Access.alerts, request, context)
                return try await offloaded {
                    let step = try StopFields.outcome(form)
                    return try adjudicate(step, context: context, session: session)
                }
            }
        }
    }

    private func adjudicate(_ step: AdjudicationStep, context: WebRequestContext, session: Session) throws -> Response {
        let id = try Self.id(context)
        do {
            let alert = try alerts.show(id)
            let sentTo = try alerts.adjudicate(id, step, by: session.user.name, at: clock.now())
            live.feed.publishSent(.init(alertID: id, deploymentID: alert.deploymentID), to: sentTo)
        } catch let refusal as AdjudicationError {
            return pages.page(
                "message", title: "Refused", session: session,
                ["heading": "Not recorded", "text": refusal.description],
                status: status(of: refusal))
        }
        return Response.redirect(to: "/alerts/\(id.uuidString)", type: .found)
    }

    /// The reference photo of the alert's subject, while the coordinator keeps it.
    static func referencePhoto(of alert: AlertRecord, in database: CoordinatorDatabase) throws -> [UInt8]? {
        guard let subject = alert.subject else { return nil }
        return try DeploymentStore.referencePhoto(deployment: alert.deploymentID, subject: subject, in: database)
    }

    /// A JPEG or PNG the record holds, never cached; 404 when it holds none (purged, destroyed).
    static func image(_ bytes: [UInt8]?) -> Response {
        guard let bytes else { return Response(status: .notFound) }
        let type = bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? "image/png" : "image/jpeg"
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// "12.3 s after capture", for a decision's time; empty before it is made.
    static func after(_ decided: Date?, _ captured: Date) -> String {
        decided.map { String(format: "%.1f s after capture", $0.timeIntervalSince(captured)) } ?? ""
    }

    static func id(_ context: WebRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw HTTPError(.notFound)
        }
        return id
    }

    /// An alert as a row of the list and of the live feed: who, by name while the list is kept.
    static func row(_ a: AlertRecord, names: [String: [String: String]] = [:]) -> [String: Any] {
        [
            "id": a.id.uuidString, "captured": displayTime(a.capturedAt),
            "capturedMs": Int64(a.capturedAt.timeIntervalSince1970 * 1000),
            "deployment": a.deploymentID, "camera": a.cameraID, "subject": a.subject ?? "(purged)",
            "name": a.subject.flatMap { names[a.deploymentID]?[$0] } ?? a.subject ?? "(purged)",
            "review": a.review.map { "\($0.rawValue) by \(a.reviewBy ?? "")" } ?? "awaiting review",
            "outcome": a.outcome.map { "\($0.rawValue), \(a.action?.rawValue ?? "")" } ?? "",
        ]
    }
}

/// Runs a route's body, turning an access refusal into its response and a record the request
/// names but the database does not hold (or refuses) into a plain-text answer that says why.
func plainText(_ text: String, status: HTTPResponse.Status) -> Response {
    Response(
        status: status, headers: [.contentType: "text/plain; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
}
