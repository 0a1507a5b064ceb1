import CoordinatorRecord
import FaceTemplates
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RecordTestSupport
import Shared
import Synchronization
import XCTest

@testable import ControlRoom

/// Every route of the control room against every role, through the router (no server, no
/// sockets, milliseconds): who gets in, who is refused, that a form needs its CSRF token, that
/// what users typed comes back escaped, and that every answer carries the security headers.
/// `IntegrationTests/ControlRoomTests` keeps what needs a real process (cookies over HTTP, TLS,
/// live streams, uploads from a browser).
final class RouteAccessTests: XCTestCase {
    struct Route: CustomStringConvertible, Sendable {
        let method: HTTPRequest.Method
        /// The router's pattern, parameters in braces.
        let pattern: String
        let roles: Set<Role>
        var query = ""
        /// A multipart upload (a list and its photos, or signatures) rather than a plain form.
        var upload = false
        var description: String { "\(method) \(pattern)" }

        /// The pattern with a value for each parameter (records that do not exist: access is decided before any lookup).
        var path: String {
            let alert = UUID().uuidString
            return pattern.replacingOccurrences(of: "/alerts/{id}", with: "/alerts/\(alert)")
                .replacingOccurrences(of: "{id}", with: pattern.hasPrefix("/deployments") ? "dep-x" : "wl-x")
                .replacingOccurrences(of: "{file}", with: "checkpoint-000000001.json")
                .replacingOccurrences(of: "{subject}", with: "s-1").replacingOccurrences(of: "{position}", with: "0")
                + query
        }
    }

    // Who may do what, as docs/control_room.md gives it: written out here, not read from `Access`,
    // so that a role added to an area in the code fails this test until the policy says so.
    static let alerts: Set<Role> = [.operator_, .supervisor]
    static let nodes: Set<Role> = [.operator_, .supervisor, .admin]
    /// Everyone but the field officer, whose phone shows only the matches sent to them.
    static let controlRoom = Set(Role.allCases).subtracting([.fieldOfficer])
    static let field: Set<Role> = [.fieldOfficer]
    static let fieldTeams: Set<Role> = [.supervisor]
    static let authorise: Set<Role> = [.authorisingOfficer]
    static let startAndEnd: Set<Role> = [.supervisor]
    static let reports: Set<Role> = [.supervisor, .auditor, .authorisingOfficer, .admin]
    static let audit: Set<Role> = [.auditor, .admin]
    static let metrics: Set<Role> = [.supervisor, .admin]
    static let watchlists: Set<Role> = [.intelligence]

    /// The route table: each route and the roles the policy gives it. A route added without a line
    /// here fails `testTheTable_namesEveryRouteTheRouterServes`.
    static let routes: [Route] = [
        .init(method: .get, pattern: "/alerts", roles: alerts),
        .init(method: .get, pattern: "/alerts/stream", roles: alerts),
        .init(method: .get, pattern: "/alerts/next", roles: alerts),
        .init(method: .get, pattern: "/alerts/{id}", roles: alerts),
        .init(method: .get, pattern: "/alerts/{id}/crop.jpg", roles: alerts),
        .init(method: .get, pattern: "/alerts/{id}/reference", roles: alerts),
        .init(method: .post, pattern: "/alerts/{id}/review", roles: alerts),
        .init(method: .post, pattern: "/alerts/{id}/outcome", roles: alerts),
        .init(method: .get, pattern: "/metrics", roles: metrics),
        .init(method: .get, pattern: "/nodes", roles: nodes),
        .init(method: .get, pattern: "/deployments", roles: controlRoom),
        .init(method: .post, pattern: "/deployments/{id}/team", roles: fieldTeams),
        .init(method: .post, pattern: "/deployments/{id}/team/release", roles: fieldTeams),
        .init(method: .get, pattern: "/field", roles: field),
        .init(method: .get, pattern: "/field/stream", roles: field),
        .init(method: .get, pattern: "/field/alerts/{id}", roles: field),
        .init(method: .get, pattern: "/field/alerts/{id}/crop.jpg", roles: field),
        .init(method: .get, pattern: "/field/alerts/{id}/reference", roles: field),
        .init(method: .post, pattern: "/field/alerts/{id}/outcome", roles: field),
        .init(method: .post, pattern: "/deployments/{id}/authorise", roles: authorise),
        .init(method: .post, pattern: "/deployments/{id}/start", roles: startAndEnd),
        .init(method: .post, pattern: "/deployments/{id}/end", roles: startAndEnd),
        .init(method: .get, pattern: "/reports", roles: reports, query: "?deployment=dep-x"),
        .init(method: .get, pattern: "/reports/export", roles: reports, query: "?deployment=dep-x&format=csv"),
        .init(method: .get, pattern: "/audit", roles: audit),
        .init(method: .get, pattern: "/audit/checkpoints/{file}", roles: audit),
        .init(method: .get, pattern: "/watchlists", roles: watchlists),
        .init(method: .post, pattern: "/watchlists", roles: watchlists, upload: true),
        .init(method: .get, pattern: "/watchlists/{id}", roles: watchlists),
        .init(method: .get, pattern: "/watchlists/{id}/photos/{subject}/{position}", roles: watchlists),
        .init(method: .post, pattern: "/watchlists/{id}/build", roles: watchlists),
        .init(method: .post, pattern: "/watchlists/{id}/photos/{subject}/{position}/face", roles: watchlists),
        .init(method: .get, pattern: "/watchlists/{id}/bundle", roles: watchlists),
        .init(method: .post, pattern: "/watchlists/{id}/signatures", roles: watchlists, upload: true),
        .init(method: .post, pattern: "/watchlists/{id}/plan", roles: watchlists),
        .init(method: .post, pattern: "/watchlists/{id}/discard", roles: watchlists),
    ]

    /// A signed-in session of each role, and how a request is sent with one.
    struct Sessions: Sendable {
        let byRole: [Role: (token: String, csrf: String)]

        /// Sends `route` as `role` (nil: no session), with the session's CSRF token unless `csrf` says
        /// otherwise, and a plain form's other `fields`.
        func send(
            _ route: Route, as role: Role?, csrf: String? = nil, fields: [(String, String)] = [],
            to client: some TestClientProtocol
        ) async throws -> TestResponse {
            var headers: HTTPFields = [:]
            var body = ByteBuffer()
            if let role, let session = byRole[role] {
                headers[.cookie] = "\(SessionMiddleware.cookieName)=\(session.token)"
                let token = csrf ?? session.csrf
                if route.upload {
                    body = ByteBuffer(
                        string: "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(token)\r\n--b--\r\n")
                } else if route.method == .post {
                    let encoded = ([("csrf", token)] + fields).map {
                        "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                    }
                    body = ByteBuffer(string: encoded.joined(separator: "&"))
                }
            }
            if route.method == .post {
                headers[.contentType] =
                    route.upload ? "multipart/form-data; boundary=b" : "application/x-www-form-urlencoded"
            }
            return try await client.execute(uri: route.path, method: route.method, headers: headers, body: body)
        }
    }

    /// The control room's router over a fresh record, and a session of each role.
    struct ControlRoom {
        let router: Router<WebRequestContext>
        let sessions: Sessions

        init(_ fixture: RecordFixture, clock: WallClock = .system) async throws {
            let users = UserStore(database: fixture.database, bcryptCost: 4)
            let desk = SignInDesk(
                users: users, pool: PasswordHashingPool(workers: 1, queueLimit: 8),
                settings: .init(refusalDelay: .zero), logger: Logger(label: "test"))
            var sessions: [Role: (String, String)] = [:]
            for role in Role.allCases {
                try users.add(
                    "user-\(role.rawValue)", role: role, password: "correct horse battery", by: "adm", at: Date())
                guard
                    case .signedIn(let token, let session) = try await desk.signIn(
                        "user-\(role.rawValue)", password: "correct horse battery",
                        address: "10.0.0.1", at: clock.now())
                else {
                    throw CommandFailure("user-\(role.rawValue) cannot sign in")
                }
                sessions[role] = (token, session.csrfToken)
            }
            self.sessions = Sessions(byRole: sessions)
            let logger = Logger(label: "test")
            router = try ControlRoomServer.makeRouter(
                settings: .init(), database: fixture.database, users: users, desk: desk, feed: AlertFeed(),
                compiler: NoVisionCompiler(),
                builds: WatchlistBuildQueue(
                    compiler: NoVisionCompiler(), database: fixture.database, logger: logger, clock: clock),
                logger: logger, deploymentsChanged: {}, clock: clock)
        }
    }

    func testEveryRoute_letsInItsRolesOnly_andRefusesTheOthersWith403() async throws {
        let fixture = try RecordFixture(self)
        let room = try await ControlRoom(fixture)
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            for route in Self.routes {
                for role in Role.allCases {
                    // A live stream never ends while its session lives: only its refusals are sent here.
                    if route.pattern.hasSuffix("/stream") && route.roles.contains(role) { continue }
                    let status = try await sessions.send(route, as: role, to: client).status
                    if route.roles.contains(role) {
                        XCTAssert(
                            ![.unauthorized, .forbidden].contains(status) && status.code < 500,
                            "\(route) as \(role.rawValue): \(status)")
                    } else {
                        XCTAssertEqual(status, .forbidden, "\(route) as \(role.rawValue)")
                    }
                }
            }
        }
        let refusals = try AuditLog.entries(in: fixture.database, actionPrefix: "web.access_refused", limit: 10_000)
        let expected = Self.routes.map { Role.allCases.count - $0.roles.count }.reduce(0, +)
        XCTAssertEqual(refusals.count, expected, "each refusal is on the record")
        XCTAssertFalse(
            refusals.contains { $0.target.contains("dep-x") || $0.target.contains("wl-x") },
            "refusals name the route's pattern, never the path")
    }

    func testWithoutASession_pagesGoToSignIn_andActionsGet401() async throws {
        let fixture = try RecordFixture(self)
        let room = try await ControlRoom(fixture)
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            for route in Self.routes {
                let response = try await sessions.send(route, as: nil, to: client)
                if route.method == .get {
                    XCTAssertEqual(response.status.code / 100, 3, "\(route)")
                    XCTAssert(
                        response.headers[.location]?.hasPrefix("/login?next=") == true,
                        "\(route): \(response.headers[.location] ?? "-")")
                } else {
                    XCTAssertEqual(response.status, .unauthorized, "\(route)")
                }
            }
        }
    }

    func testEveryForm_withoutOrWithAWrongCSRFToken_isRefused_andChangesNothing() async throws {
        let fixture = try RecordFixture(self)
        let room = try await ControlRoom(fixture)
        try fixture.liveDeployment("dep-x")
        let before = try DeploymentStore.show("dep-x", in: fixture.database).state
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            for route in Self.routes where route.method == .post {
                let role = try XCTUnwrap(route.roles.sorted { $0.rawValue < $1.rawValue }.first)
                let real = sessions.byRole[role]!.csrf
                let oneCharacterOff = String(real.dropLast()) + (real.hasSuffix("0") ? "1" : "0")
                for token in ["", "forged-\(UUID())", oneCharacterOff] {
                    let status = try await sessions.send(route, as: role, csrf: token, to: client).status
                    XCTAssertEqual(status, .forbidden, "\(route) with csrf '\(token)'")
                }
            }
        }
        XCTAssertEqual(
            try DeploymentStore.show("dep-x", in: fixture.database).state, before, "the forged end did nothing")
    }

    func testWhatUsersTyped_isShownEscaped() async throws {
        let fixture = try RecordFixture(self)
        let room = try await ControlRoom(fixture)
        try DeploymentStore.create(try fixture.plan("dep-1"), by: "intel", in: fixture.database, at: RecordFixture.t0)
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            let page = String(
                buffer: try await sessions.send(
                    .init(method: .get, pattern: "/deployments", roles: []), as: .supervisor, to: client
                ).body)
            XCTAssert(page.contains("Oxford Circus &lt;north exit&gt;"), "the place name, escaped")
            XCTAssertFalse(page.contains("<north exit>"))
        }
    }

    func testEveryAnswer_carriesTheSecurityHeaders_refusalsIncluded() async throws {
        let fixture = try RecordFixture(self)
        let room = try await ControlRoom(fixture)
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            for (route, role) in [
                (Self.routes[0], Role.operator_), (Self.routes[0], Role.auditor), (Self.routes[0], nil),
                (Route(method: .get, pattern: "/health", roles: []), nil),
                (Route(method: .get, pattern: "/login", roles: []), nil),
            ] {
                let headers = try await sessions.send(route, as: role, to: client).headers
                let csp = headers[.contentSecurityPolicy] ?? ""
                let script = csp.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first {
                    $0.hasPrefix("script-src")
                }
                XCTAssertEqual(
                    script, "script-src 'self'", "no inline script: \(route) as \(role?.rawValue ?? "nobody")")
                XCTAssert(
                    csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'")
                        && csp.contains("base-uri 'none'"), csp)
                XCTAssertEqual(headers[.xContentTypeOptions], "nosniff")
                XCTAssertEqual(headers.first { $0.name.canonicalName == "referrer-policy" }?.value, "no-referrer")
            }
        }
    }

    func testRefusals_areAnsweredWithTheirKindsStatus_andCode() async throws {
        let fixture = try RecordFixture(self)
        let room = try await ControlRoom(fixture)
        try DeploymentStore.create(try fixture.plan("dep-1"), by: "intel", in: fixture.database, at: RecordFixture.t0)
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            let missing = try await sessions.send(
                .init(method: .get, pattern: "/alerts/\(UUID())", roles: []), as: .operator_, to: client)
            XCTAssertEqual(missing.status, .notFound)
            XCTAssertEqual(
                missing.headers.first { $0.name.canonicalName == "watchpost-refusal" }?.value,
                "adjudication.alertNotFound")
            let early = try await sessions.send(
                .init(method: .post, pattern: "/deployments/dep-1/start", roles: []), as: .supervisor, to: client)
            XCTAssertEqual(
                early.status, .conflict,
                "a planned deployment is not started: the record's state, not the request, is at fault")
            XCTAssert(String(buffer: early.body).contains("must be authorised first"))
            let nobody = try await sessions.send(
                .init(method: .post, pattern: "/deployments/dep-nobody/end", roles: []), as: .supervisor, to: client)
            XCTAssertEqual(nobody.status, .notFound)
        }
        XCTAssertEqual(try DeploymentStore.show("dep-1", in: fixture.database).state, .planned)
    }

    func testSessions_endByTheInjectedClock_notTheHosts() async throws {
        let time = SettableTime(Date())
        let room = try await ControlRoom(try RecordFixture(self), clock: WallClock { time.now })
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            let alerts = Route(method: .get, pattern: "/alerts", roles: [])
            let inTime = try await sessions.send(alerts, as: .operator_, to: client)
            XCTAssertEqual(inTime.status, .ok)
            time.now = time.now + UserStore.sessionLifetime + 60
            let late = try await sessions.send(alerts, as: .operator_, to: client)
            XCTAssert(late.headers[.location]?.hasPrefix("/login") == true, "past its lifetime by the router's clock")
        }
    }

    func testDeployments_startByTheInjectedClock_andAreRecordedAtItsTime() async throws {
        let fixture = try RecordFixture(self)
        try DeploymentStore.create(try fixture.plan("dep-1"), by: "intel", in: fixture.database, at: RecordFixture.t0)
        try DeploymentStore.authorise("dep-1", officer: "Supt Ames", in: fixture.database, at: RecordFixture.t0 - 7200)
        // The plan's window opens at t0: an hour before it, by the router's clock, it cannot start.
        let time = SettableTime(RecordFixture.t0 - 3600)
        let room = try await ControlRoom(fixture, clock: WallClock { time.now })
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            let start = Route(method: .post, pattern: "/deployments/dep-1/start", roles: [])
            let early = try await sessions.send(start, as: .supervisor, to: client)
            XCTAssertEqual(early.status, .conflict)
            time.now = RecordFixture.t0 + 60
            let started = try await sessions.send(start, as: .supervisor, to: client)
            XCTAssertEqual(started.status, .found)
        }
        XCTAssertEqual(
            try DeploymentStore.show("dep-1", in: fixture.database).lifecycle.startedAt, RecordFixture.t0 + 60)
    }

    func testTheTable_namesEveryRouteTheRouterServes() async throws {
        let fixture = try RecordFixture(self)
        let room = try await ControlRoom(fixture)
        // Routes open to all, or that answer for themselves: sign-in, the health check, the script, the start page.
        let open: Set<String> = [
            "GET /login", "POST /login", "POST /logout", "GET /health", "GET /static/alerts.js", "GET /static/alert.js",
            "GET /static/field.js", "GET /",
        ]
        let served = Set(room.router.routes.map { "\($0.method) /" + "\($0.path)".trimmingPrefix("/") }).subtracting(
            open)
        let tabled = Set(Self.routes.map(\.description))
        let unlisted = served.subtracting(tabled).sorted()
        XCTAssertEqual(unlisted, [], "routes without a line in the route table")
    }
}

/// Builds need the vision modules, which these tests do not link: a build is refused, named.
struct NoVisionCompiler: WatchlistCompiling {
    func compile(_ input: WatchlistBuildInput) async throws -> WatchlistCompilation {
        throw CommandFailure("the router tests build no watchlists")
    }

    func expectedPerformance(threshold: Float, listSize: Int, enrolment: ListEnrolment, cohortFaces: Int) throws
        -> ExpectedPerformance
    {
        throw CommandFailure("the router tests have no evaluation report")
    }
}

/// A time the test sets, read by the router's clock.
final class SettableTime: Sendable {
    private let value: Mutex<Date>
    init(_ start: Date) { value = Mutex(start) }
    var now: Date {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
