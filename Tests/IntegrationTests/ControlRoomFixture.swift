import Foundation
import TestSupport
import XCTest

/// A coordinator serving the control room on 127.0.0.1 with one user per role (bcrypt cost 4,
/// to keep sign-ins fast), over a `DeploymentFixture`.
struct ControlRoom {
    static let password = "correct horse battery staple"
    static let users = [
        ("olivia", "operator"), ("sam", "supervisor"), ("ian", "intelligence"), ("amy", "authorising-officer"),
        ("aud", "auditor"), ("adm", "admin"), ("fran", "field-officer"),
    ]

    let d: DeploymentFixture
    let server: ChildProcess
    let port: Int
    /// The bearer token for `/metrics` (`web.metrics_token_file`, 0600).
    let metricsToken = String(repeating: "m", count: 8) + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    /// - Parameter watchlists: also configure the watchlist pages: the officer and the authoriser
    ///   named as the two signers the nodes require, and an evaluation report for expected rates.
    /// - Parameter idleTimeout: `web.idle_timeout_s`, when not the default.
    init(_ test: XCTestCase, nodes: [String] = ["node1"], watchlists: Bool = false, idleTimeout: Int? = nil) throws {
        d = try DeploymentFixture(test, nodes: nodes)
        port = Fixtures.freePort()
        FileManager.default.createFile(
            atPath: d.dir + "/metrics.token", contents: Data(metricsToken.utf8), attributes: [.posixPermissions: 0o600])
        let web =
            #"{"host": "127.0.0.1", "port": \#(port), "bcrypt_cost": 4, "metrics_token_file": "\#(d.dir)/metrics.token""#
            + (idleTimeout.map { #", "idle_timeout_s": \#($0)"# } ?? "") + "}"
        let watchlistConfig =
            try watchlists
            ? """
            {"signers": [{"name": "Insp Officer", "key": "\(d.dir)/officer.key.pub"}, {"name": "Supt Authoriser", "key": "\(d.dir)/authoriser.key.pub"}],
             "required_signatures": 2, "evaluation": "\(DeploymentRecordTests.evaluationReport)"}
            """ : nil
        try d.writeCoordinatorConfig(bundle: nil, enrolled: nodes, web: web, watchlists: watchlistConfig)
        for (name, role) in Self.users {
            let r = try ChildProcess.run(
                d.coordinatorExe,
                [
                    "users", "add", "--config", "\(d.dir)/coordinator.json", "--as", "setup", "--name", name, "--role",
                    role,
                ],
                input: Self.password + "\n")
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        server = try d.startCoordinator(bundle: nil, enrolled: nodes, web: web, watchlists: watchlistConfig)
        XCTAssertTrue(server.waitForStderr("control room listening", timeout: .seconds(30)), server.stderr)
    }

    func client() -> WebClient { WebClient(port: port) }

    func cli(_ args: [String], input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess.run(d.coordinatorExe, args + ["--config", "\(d.dir)/coordinator.json"], input: input)
    }

    /// Plans deployment dep-7 (Obama on the list, node1) with a place name given.
    func planDeployment(place: String = "Stratford Broadway") throws {
        let bundle = try d.buildObamaBundle()
        let evaluation = DeploymentRecordTests.evaluationReport
        let created = try cli([
            "deployment", "create", "--id", "dep-7", "--place", place, "--latitude", "51.5", "--longitude", "0",
            "--from", "2020-01-01T00:00:00Z", "--to", "2099-01-01T00:00:00Z", "--purpose", "people wanted on warrant",
            "--legal-basis", "common law", "--nodes", "node1", "--bundle", bundle, "--manifest", "\(d.dir)/m.csv",
            "--evaluation", evaluation, "--as", "ian",
        ])
        XCTAssertEqual(created.status, 0, created.stderr)
    }
}
