import CoordinatorRecord
import Foundation
import Hummingbird
import Shared

/// The field officer's phone: the matches sent to them on live deployments, each with the probe
/// beside the reference, who the person is and why they are sought, and the stage-2 buttons.
/// Every route asks `FieldTeam` first, so an alert not sent to this officer, or of a deployment
/// no longer live, is answered 404 whatever its id.
struct FieldRoutes {
    let alerts: AlertStore
    let live: LiveStream
    let access: Access
    let pages: PageRenderer
    let clock: WallClock

    func add(to router: Router<WebRequestContext>) {
        let database = alerts.database
        router.get("/field") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.field, request, context)
                let sent = try FieldTeam.alertsSent(to: session.user.name, in: database).map { try card($0) }
                return pages.page("field", title: "Your alerts", session: session, ["alerts": sent])
            }
        }
        router.get("/field/stream") { request, context -> Response in
            try await offloaded {
                _ = try access.require(Access.field, request, context)
                let token = request.cookies[SessionMiddleware.cookieName]?.value ?? ""
                return live.response(token: token, roles: Access.field) { event, session in
                    guard case .sent(let item, let officers) = event, officers.contains(session.user.name) else {
                        return nil
                    }
                    return try card(try FieldTeam.alert(item.alertID, sentTo: session.user.name, in: database))
                }
            }
        }
        router.get("/field/alerts/:id") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.field, request, context)
                let alert = try sentAlert(context, session)
                var values = try card(alert).merging(StopFields.templateValues) { a, _ in a }
                values["csrf"] = session.csrfToken
                values["review"] = "\(alert.review?.rawValue ?? "") by \(alert.reviewBy ?? "")"
                if let outcome = alert.outcome {
                    values["outcome"] =
                        "\(outcome.rawValue), \(alert.action?.rawValue ?? "") by \(alert.outcomeBy ?? "")"
                }
                values["canOutcome"] = alert.outcome == nil && alert.purgedAt == nil
                return pages.page("fieldAlert", title: values["name"] as? String ?? "Alert", session: session, values)
            }
        }
        router.get("/field/alerts/:id/crop.jpg") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.field, request, context)
                let alert = try sentAlert(context, session)
                return AlertRoutes.image(try alerts.crop(alert.id))
            }
        }
        router.get("/field/alerts/:id/reference") { request, context -> Response in
            try await offloaded {
                let session = try access.require(Access.field, request, context)
                let alert = try sentAlert(context, session)
                return AlertRoutes.image(try AlertRoutes.referencePhoto(of: alert, in: database))
            }
        }
        router.post("/field/alerts/:id/outcome") { request, context -> Response in
            try await guarded {
                let (session, form) = try await access.requireForm(Access.field, request, context)
                return try await offloaded {
                    let id = try sentAlert(context, session).id
                    try alerts.adjudicate(id, try StopFields.outcome(form), by: session.user.name, at: clock.now())
                    return Response.redirect(to: "/field/alerts/\(id.uuidString)", type: .found)
                }
            }
        }
    }

    /// The alert the route's id names, if it was sent to this officer and its deployment is live.
    private func sentAlert(_ context: WebRequestContext, _ session: Session) throws -> AlertRecord {
        try FieldTeam.alert(try AlertRoutes.id(context), sentTo: session.user.name, in: alerts.database)
    }

    /// What the officer needs to find the person: name, category, reason, warning, where and when.
    private func card(_ alert: AlertRecord) throws -> [String: Any] {
        let listed = try alert.subject.flatMap {
            try DeploymentStore.subject($0, onListOf: alert.deploymentID, in: alerts.database)
        }
        var values: [String: Any] = [
            "id": alert.id.uuidString, "name": listed?.displayName ?? alert.subject ?? "a purged alert",
            "camera": alert.cameraID, "captured": displayTime(alert.capturedAt), "deployment": alert.deploymentID,
        ]
        if let listed {
            values["category"] = listed.category
            values["reason"] = listed.reason
            if let warning = listed.warning { values["warning"] = warning }
        }
        return values
    }
}
