import CoordinatorRecord
import Foundation
import Hummingbird
import Logging
import Shared

/// Who may do what: every route names its roles. No session: pages redirect to the sign-in page
/// and actions get 401; a wrong role gets 403, audited; a form without the session's CSRF token
/// gets 403 too.
struct Access {
    let database: CoordinatorDatabase
    let logger: Logger
    /// The time refusals are audited at.
    let clock: WallClock

    /// Roles of each area, in one place (README "Control room").
    static let alerts: Set<Role> = [.operator_, .supervisor]
    static let nodes: Set<Role> = [.operator_, .supervisor, .admin]
    /// Everyone in the control room; the field officer's phone shows only what was sent to them.
    static let deployments: Set<Role> = Set(Role.allCases).subtracting([.fieldOfficer])
    static let field: Set<Role> = [.fieldOfficer]
    static let fieldTeams: Set<Role> = [.supervisor]
    static let authorise: Set<Role> = [.authorisingOfficer]
    static let startAndEnd: Set<Role> = [.supervisor]
    static let reports: Set<Role> = [.supervisor, .auditor, .authorisingOfficer, .admin]
    static let audit: Set<Role> = [.auditor, .admin]
    static let metrics: Set<Role> = [.supervisor, .admin]
    static let watchlists: Set<Role> = [.intelligence]

    enum Denial: Error {
        case response(Response)
    }

    /// The session of a request allowed to `roles`; throws the refusal response otherwise.
    func require(_ roles: Set<Role>, _ request: Request, _ context: WebRequestContext) throws -> Session {
        guard let session = context.session else {
            throw Denial.response(
                request.method == .get
                    ? Response.redirect(
                        to: "/login?next="
                            + (request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
                    : Response(status: .unauthorized))
        }
        guard roles.contains(session.user.role) else {
            database.audit(
                AuditEvent(
                    actor: session.user.name, action: .accessRefused, target: Self.auditTarget(request, context),
                    detail: ["role": session.user.role.rawValue]), at: clock.now(), logger: logger)
            throw Denial.response(Response(status: .forbidden))
        }
        return session
    }

    /// The form of a POST from an allowed session, after its CSRF token is checked.
    func requireForm(_ roles: Set<Role>, _ request: Request, _ context: WebRequestContext) async throws -> (
        Session, FormBody
    ) {
        let session = try require(roles, request, context)
        let form = try await FormBody(request)
        try checkCSRF(form["csrf"], session, request, context)
        return (session, form)
    }

    /// The upload form of a POST from an allowed session, after its CSRF token is checked.
    func requireUpload(_ roles: Set<Role>, _ request: Request, _ context: WebRequestContext, limit: Int) async throws
        -> (Session, MultipartForm)
    {
        let session = try require(roles, request, context)
        let form = try await MultipartForm(request, limit: limit)
        try checkCSRF(form.text("csrf"), session, request, context)
        return (session, form)
    }

    /// What a refusal's audit entry names: the method and the route's pattern, never the path
    /// itself, which can hold a subject id that the append-only log would keep past retention.
    private static func auditTarget(_ request: Request, _ context: WebRequestContext) -> String {
        "\(request.method) \(context.endpointPath ?? "unmatched route")"
    }

    private func checkCSRF(_ token: String?, _ session: Session, _ request: Request, _ context: WebRequestContext)
        throws
    {
        guard UserStore.isValidCSRF(token, for: session) else {
            database.audit(
                AuditEvent(
                    actor: session.user.name, action: .accessRefused, target: Self.auditTarget(request, context),
                    detail: ["reason": "missing or wrong CSRF token"]), at: clock.now(), logger: logger)
            throw Denial.response(Response(status: .forbidden))
        }
    }
}

/// An `application/x-www-form-urlencoded` body (at most 64 KiB).
struct FormBody {
    private var fields: [String: String] = [:]

    init(_ request: Request) async throws {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        let text = String(buffer: buffer).replacingOccurrences(of: "+", with: " ")
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            guard let key = parts.first, !key.isEmpty else { continue }
            fields[key] = parts.count > 1 ? parts[1] : ""
        }
    }

    subscript(_ key: String) -> String? { fields[key] }

    /// A non-empty trimmed value, or nil.
    func text(_ key: String) -> String? {
        fields[key].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
