import CoordinatorRecord
import Foundation
import Hummingbird
import Shared

/// The supervisor's forms on the deployments page that put field officers on a deployment's team
/// and take them off it.
struct FieldTeamRoutes {
    let database: CoordinatorDatabase
    let access: Access
    let pages: PageRenderer
    let clock: WallClock

    func add(to router: Router<WebRequestContext>) {
        for change in ["team", "team/release"] {
            router.post("/deployments/:id/\(change)") { request, context -> Response in
                try await guarded {
                    let (session, form) = try await access.requireForm(Access.fieldTeams, request, context)
                    return try await offloaded {
                        guard let id = context.parameters.get("id") else { return Response(status: .notFound) }
                        guard let officer = form.text("officer") else {
                            throw FormRefusal(.missingField, "officer", "choose the field officer")
                        }
                        do {
                            if change == "team" {
                                try FieldTeam.assign(
                                    officer, to: id, by: session.user.name, in: database, at: clock.now())
                            } else {
                                try FieldTeam.release(
                                    officer, from: id, by: session.user.name, in: database, at: clock.now())
                            }
                        } catch let refusal as FieldTeamRefusal {
                            return pages.page(
                                "message", title: "Refused", session: session,
                                ["heading": "Not done", "text": refusal.description], status: status(of: refusal))
                        }
                        return Response.redirect(to: "/deployments", type: .found)
                    }
                }
            }
        }
    }
}
