import BenchmarkSupport
import Foundation
import TestSupport
import XCTest

/// The control room's web UI served by a real `coordinator serve` on 127.0.0.1, driven over
/// HTTP as a browser would drive it (no JavaScript: the live feed is read as the event stream it is).
final class ControlRoomTests: XCTestCase {
    private static let password = ControlRoom.password
    private static let users = ControlRoom.users

    private func openRoom() throws -> ControlRoom { try ControlRoom(self) }

    /// Every route and the roles it admits (the promise of README "Control room").
    private static let someID = UUID().uuidString
    private static let routes: [(method: String, path: String, roles: Set<String>)] = [
        ("GET", "/alerts", ["operator", "supervisor"]),
        ("GET", "/alerts/\(someID)", ["operator", "supervisor"]),
        ("GET", "/alerts/\(someID)/crop.jpg", ["operator", "supervisor"]),
        ("POST", "/alerts/\(someID)/review", ["operator", "supervisor"]),
        ("POST", "/alerts/\(someID)/outcome", ["operator", "supervisor"]),
        ("GET", "/nodes", ["operator", "supervisor", "admin"]),
        ("GET", "/deployments", ["operator", "supervisor", "intelligence", "authorising-officer", "auditor", "admin"]),
        ("POST", "/deployments/none/authorise", ["authorising-officer"]),
        ("POST", "/deployments/none/start", ["supervisor"]),
        ("POST", "/deployments/none/end", ["supervisor"]),
        ("GET", "/reports?deployment=none", ["supervisor", "auditor", "authorising-officer", "admin"]),
        (
            "GET", "/reports/export?deployment=none&format=csv",
            ["supervisor", "auditor", "authorising-officer", "admin"]
        ),
        ("GET", "/audit", ["auditor", "admin"]),
        ("GET", "/field", ["field-officer"]),
        ("POST", "/deployments/none/team", ["supervisor"]),
        ("GET", "/audit/checkpoints/checkpoint-000000001.json", ["auditor", "admin"]),
        ("GET", "/metrics", ["supervisor", "admin"]),
        ("GET", "/watchlists", ["intelligence"]),
        ("POST", "/watchlists", ["intelligence"]),
        ("GET", "/watchlists/none", ["intelligence"]),
        ("GET", "/watchlists/none/photos/s-1/0", ["intelligence"]),
        ("GET", "/watchlists/none/bundle", ["intelligence"]),
        ("POST", "/watchlists/none/build", ["intelligence"]),
        ("POST", "/watchlists/none/signatures", ["intelligence"]),
        ("POST", "/watchlists/none/plan", ["intelligence"]),
        ("POST", "/watchlists/none/discard", ["intelligence"]),
    ]

    func testEveryRoute_refusesAnonymousRequests_andWrongRolesWith403_eachAudited() throws {
        let room = try openRoom()
        defer { room.server.signal(SIGTERM) }
        let anonymous = room.client()
        for route in Self.routes + [("GET", "/alerts/stream", [])] {
            let reply =
                route.method == "GET" ? try anonymous.get(route.path) : try anonymous.post(route.path, ["csrf": "x"])
            if route.method == "GET" {
                XCTAssertEqual(reply.status, 303, route.path)
                XCTAssertTrue(reply.location?.hasPrefix("/login") ?? false, route.path)
            } else {
                XCTAssertEqual(reply.status, 401, route.path)
            }
        }
        var refusals = 0
        for (name, role) in Self.users {
            let client = room.client()
            XCTAssertEqual(try client.signIn(name, Self.password).status, 302)
            let csrf = try client.csrf(from: role == "field-officer" ? "/field" : "/deployments")
            for route in Self.routes {
                let reply =
                    route.method == "GET" ? try client.get(route.path) : try client.post(route.path, ["csrf": csrf])
                if route.roles.contains(role) {
                    XCTAssertNotEqual(reply.status, 403, "\(role) may \(route.method) \(route.path)")
                } else {
                    XCTAssertEqual(reply.status, 403, "\(role) may not \(route.method) \(route.path)")
                    refusals += 1
                }
            }
        }
        let audited = try room.cli(["audit", "list", "--action", "web.access_refused", "--limit", "10000"]).stdout
            .split(separator: "\n")
        XCTAssertEqual(audited.count, refusals, "each refusal is on the record")
        XCTAssertFalse(
            audited.contains { $0.contains("/photos/s-1/") },
            "a refused path's subject id is not kept: the entry names the route")
        XCTAssertTrue(audited.contains { $0.contains("/watchlists/{id}/photos/{subject}") }, "\(audited.prefix(3))")
    }

    func testMetrics_forAScraperWithTheToken_countTheRecordAndTimeRequests() throws {
        let room = try openRoom()
        defer { room.server.signal(SIGTERM) }
        let scraper = room.client()
        XCTAssertEqual(try scraper.get("/metrics").status, 303, "no token, no session")
        scraper.bearer = "wrong"
        XCTAssertEqual(try scraper.get("/metrics").status, 303)
        scraper.bearer = room.metricsToken
        _ = try scraper.get("/deployments")
        let metrics = try scraper.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        for line in [
            "watchpost_alerts 0", "watchpost_nodes_enrolled 1", "watchpost_deployments_live 0",
            #"watchpost_adjudications{stage="review",decision="match"} 0"#,
            #"watchpost_http_request_duration_seconds_count{route="/deployments",status="303"} 1"#,
        ] {
            XCTAssertTrue(metrics.body.contains(line), "\(line) in:\n\(metrics.body)")
        }
        let chmod = room.d.dir + "/metrics.token"
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: chmod)
        let refused = try ChildProcess.run(
            room.d.coordinatorExe, ["serve", "--config", "\(room.d.dir)/coordinator.json"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(
            refused.stderr.contains("web.metrics_token_file") && refused.stderr.contains("chmod 600"), refused.stderr)
    }

    func testSessions_cookieFlags_csrf_logout_disable_andLockout() throws {
        let room = try openRoom()
        defer { room.server.signal(SIGTERM) }
        let operator_ = room.client()
        let signIn = try operator_.signIn("olivia", Self.password)
        let cookie = try XCTUnwrap(signIn.headers["set-cookie"])
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] { XCTAssertTrue(cookie.contains(flag), cookie) }
        XCTAssertFalse(cookie.contains("Secure"), "not over TLS here: web.secure_cookies is off")
        XCTAssertEqual(
            try operator_.post("/alerts/\(Self.someID)/review", ["decision": "match"]).status, 403, "no CSRF token")
        XCTAssertEqual(
            try operator_.post("/alerts/\(Self.someID)/review", ["decision": "match", "csrf": "forged"]).status, 403)
        let csrf = try operator_.csrf(from: "/alerts")
        XCTAssertFalse(csrf.isEmpty)
        XCTAssertEqual(
            try operator_.post("/alerts/\(Self.someID)/review", ["decision": "match", "csrf": csrf]).status, 404,
            "past the CSRF check: no such alert")
        XCTAssertEqual(try operator_.post("/logout", ["csrf": csrf]).status, 302)
        XCTAssertEqual(try operator_.get("/alerts").status, 303, "the old cookie is dead after logout: back to sign-in")

        let supervisor = room.client()
        try supervisor.signIn("sam", Self.password)
        XCTAssertEqual(try supervisor.get("/nodes").status, 200)
        XCTAssertEqual(try room.cli(["users", "disable", "--name", "sam", "--as", "adm"]).status, 0)
        XCTAssertEqual(
            try supervisor.get("/nodes").status, 303, "a disabled user's session ends at once: back to sign-in")
        XCTAssertEqual(try room.client().signIn("sam", Self.password).status, 401)

        let auditor = room.client()
        for _ in 0..<5 { XCTAssertEqual(try auditor.signIn("aud", "wrong password 123").status, 401) }
        XCTAssertEqual(try auditor.signIn("aud", Self.password).status, 401, "locked out after 5 failures")
        let log = try room.cli(["audit", "list", "--action", "user.", "--limit", "1000"]).stdout
        for action in ["user.login\t", "user.logout", "user.disabled", "user.login_failed", "user.locked_out"] {
            XCTAssertTrue(log.contains(action), "\(action) audited:\n\(log)")
        }
    }

    func testLiveAlert_appearsWithoutReloading_isAdjudicatedInBothStages_andEveryTextIsInert() throws {
        let room = try openRoom()
        defer { room.server.signal(SIGTERM) }
        let d = room.d
        let hostile = "<script>alert(1)</script> Broadway'; DROP TABLE alert; --"
        try room.planDeployment(place: hostile)

        let officer = room.client(), supervisor = room.client(), operator_ = room.client(), auditor = room.client()
        try officer.signIn("amy", Self.password)
        try supervisor.signIn("sam", Self.password)
        try operator_.signIn("olivia", Self.password)
        try auditor.signIn("aud", Self.password)
        let page = try supervisor.get("/deployments").body
        XCTAssertTrue(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt; Broadway&#39;; DROP TABLE alert; --")
                || page.contains("&lt;script&gt;alert(1)&lt;/script&gt; Broadway&#x27;"), page)
        XCTAssertFalse(page.contains("<script>alert(1)"))
        XCTAssertEqual(
            try supervisor.post("/deployments/dep-7/start", ["csrf": try supervisor.csrf()]).status, 409,
            "not authorised yet")
        XCTAssertEqual(try officer.post("/deployments/dep-7/authorise", ["csrf": try officer.csrf()]).status, 302)

        let stream = try EventStreamReader(
            port: room.port, path: "/alerts/stream?deployment=dep-7", cookie: try XCTUnwrap(operator_.cookie))
        XCTAssertEqual(try supervisor.post("/deployments/dep-7/start", ["csrf": try supervisor.csrf()]).status, 302)
        let node = try d.startNode(
            "node1", source: try d.clip(of: "obama.jpg", to: "obama.mp4", seconds: 3), loop: true)
        defer { node.signal(SIGTERM) }
        let event = try XCTUnwrap(
            stream.next(event: "alert", timeout: .seconds(120)), "no live alert: \(node.stderr)\n\(room.server.stderr)")
        let alert = try JSONSerialization.jsonObject(with: Data(event.utf8)) as! [String: Any]
        let id = try XCTUnwrap(alert["id"] as? String)
        XCTAssertEqual(alert["deployment"] as? String, "dep-7")
        XCTAssertEqual(alert["camera"] as? String, "cam-node1")

        XCTAssertTrue(try operator_.get("/alerts?deployment=dep-7").body.contains(id))
        let reference = try operator_.get("/alerts/\(id)/reference")
        XCTAssertEqual(reference.status, 200, "the subject's reference photo is shown beside the probe")
        XCTAssertEqual(reference.headers["content-type"], "image/jpeg")
        XCTAssertEqual(try auditor.get("/alerts/\(id)/reference").status, 403)
        let crop = try operator_.get("/alerts/\(id)/crop.jpg")
        XCTAssertEqual([crop.status, crop.headers["content-type"] == "image/jpeg" ? 1 : 0], [200, 1])
        let csrf = try operator_.csrf(from: "/alerts/\(id)")
        XCTAssertEqual(
            try auditor.post("/alerts/\(id)/review", ["decision": "match", "csrf": try auditor.csrf()]).status, 403,
            "an auditor cannot adjudicate")
        XCTAssertEqual(
            try operator_.post("/alerts/\(id)/review", ["decision": "match", "note": hostile, "csrf": csrf]).status, 302
        )
        XCTAssertEqual(
            try operator_.post("/alerts/\(id)/review", ["decision": "no match", "csrf": csrf]).status, 409,
            "a stage is recorded once")
        XCTAssertEqual(
            try operator_.post(
                "/alerts/\(id)/outcome", ["outcome": "identity verified", "action": "arrest", "csrf": csrf]
            ).status, 302)
        let shown = try operator_.get("/alerts/\(id)").body
        XCTAssertTrue(shown.contains("match by olivia") && shown.contains("identity verified, arrest"), shown)
        XCTAssertNotNil(
            shown.range(of: #"<th>Matched on</th><td>[1-9]\d* frames? of its track</td>"#, options: .regularExpression),
            "the page says how many of the track's frames the alert rests on")

        let report = try auditor.get("/reports?deployment=dep-7")
        XCTAssertEqual(report.status, 200)
        XCTAssertTrue(
            report.body.contains("1 confirmed by the operator") && report.body.contains("1 verified by engagement"),
            report.body)
        XCTAssertFalse(report.body.contains("<script>alert(1)"), "the report's text is escaped too")
        let audit = try auditor.get("/audit").body
        XCTAssertTrue(audit.contains("audit log intact"), audit)
        // The auditor takes the signed checkpoints off the box from the audit page.
        let link = try XCTUnwrap(audit.range(of: #"href="/audit/checkpoints/"#), "the audit page links the checkpoints")
        let file = String(audit[link.upperBound...].prefix { $0 != "\"" })
        let download = try auditor.get("/audit/checkpoints/" + file)
        XCTAssertEqual(download.status, 200)
        XCTAssertTrue(download.body.contains("\"head_sha256\""), download.body)
        XCTAssertEqual(
            try auditor.get("/audit/checkpoints/..%2Fcoordinator.sqlite").status, 404,
            "only checkpoint files are served")
        XCTAssertTrue(try room.cli(["audit", "verify"]).stdout.contains("intact"), "the SQL in the note did nothing")
        // A live page is still open: the graceful stop must end its event stream, not wait on it.
        room.server.signal(SIGTERM)
        XCTAssertEqual(room.server.wait(timeout: .seconds(20)), 0, "coordinator serve stops with a live page open")
        XCTAssertNil(stream.next(event: "alert", timeout: .seconds(2)), "the stream has ended")
    }

    /// The intelligence team's path in the browser: upload, see the refused photo, build, sign
    /// offline, upload the signatures, plan; each step on the record, and refused to other roles.
    func testWatchlistPages_uploadBuildSignOfflineAndPlan() throws {
        let room = try ControlRoom(self, watchlists: true)
        defer { room.server.signal(SIGTERM) }
        let intel = room.client(), operator_ = room.client()
        XCTAssertEqual(try intel.signIn("ian", Self.password).status, 302)
        XCTAssertEqual(try operator_.signIn("olivia", Self.password).status, 302)
        let csrf = try intel.csrf(from: "/watchlists")
        let hostile = #"<script>alert(1)</script>' OR 1=1; --"#
        let manifest = """
            subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18
            s-101,\(hostile),wanted,warrant 123,custody photo,obama.jpg;scan.jpg,warrant 123,no
            s/102 b,Joe,wanted,warrant 456,custody photo,biden.jpg,warrant 456,no
            """
        let photos = [
            ("photos", "obama.jpg", try Self.bytes(room.d.dir + "/obama.jpg")),
            ("photos", "biden.jpg", try Self.bytes(room.d.dir + "/biden.jpg")),
            // A 32x32 JPEG header with no image data: taken at upload, refused at the build.
            (
                "photos", "scan.jpg",
                [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 8, 0x00, 0x20, 0x00, 0x20, 3, 1, 2, 3, 4] as [UInt8]
            ),
        ]
        let fields = [
            "csrf": csrf, "deployment": "dep-w", "watchlist": "wl-w", "version": "1", "expires": "2099-01-01T00:00:00Z",
            "threshold": "0.6",
        ]
        let files = [("manifest", "list.csv", Array(manifest.utf8))] + photos

        XCTAssertEqual(
            try intel.postFiles("/watchlists", fields.merging(["csrf": "forged"]) { $1 }, files: files).status, 403,
            "no valid CSRF token")
        XCTAssertEqual(
            try operator_.postFiles("/watchlists", fields.merging(["csrf": try operator_.csrf()]) { $1 }, files: files)
                .status, 403)
        let missing = try intel.postFiles("/watchlists", fields, files: files.filter { $0.1 != "biden.jpg" })
        XCTAssertEqual(missing.status, 400)
        XCTAssertTrue(missing.body.contains("photo biden.jpg for s/102 b was not uploaded"), missing.body)

        let uploaded = try intel.postFiles("/watchlists", fields, files: files)
        XCTAssertEqual(uploaded.status, 302, uploaded.body)
        let page = try XCTUnwrap(uploaded.location)
        XCTAssertEqual(try intel.post(page + "/build", ["csrf": csrf]).status, 302)
        var draft = try intel.get(page).body
        let deadline = Date() + 120
        while draft.contains(#"id="state">building"#) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            draft = try intel.get(page).body
        }
        XCTAssertTrue(draft.contains(#"id="state">built"#), draft)
        XCTAssertTrue(draft.contains("2 subjects, 2 templates"), draft)
        XCTAssertTrue(draft.contains("cannot be decoded as an image"), "the refused photo is shown with its reason")
        XCTAssertFalse(draft.contains(hostile), "the display name is shown inert")
        XCTAssertTrue(draft.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertEqual(try intel.get(page + "/photos/s-101/1").data, Data(photos[2].2), "the uploaded bytes, unchanged")
        let src = page + "/photos/s%2F102%20b/0"
        XCTAssertTrue(draft.contains(#"src="\#(src)""#), "a subject id that is free text is one path segment")
        XCTAssertEqual(try intel.get(src).data, Data(try Self.bytes(room.d.dir + "/biden.jpg")))
        XCTAssertEqual(
            try operator_.get(page + "/photos/s-101/0").status, 403,
            "photos of the people sought are for the intelligence team")

        // Offline signing: the coordinator never sees a private key.
        let download = try intel.get(page + "/bundle")
        XCTAssertEqual(download.status, 200)
        let file = room.d.dir + "/downloaded.bundle"
        try download.data.write(to: URL(fileURLWithPath: file))
        for signer in ["officer", "third"] {
            XCTAssertEqual(
                try ChildProcess.run(
                    room.d.coordinatorExe,
                    ["watchlist", "sign", "--bundle", file, "--key", "\(room.d.dir)/\(signer).key"]
                ).status, 0)
        }
        let untrusted = try intel.postFiles(
            page + "/signatures", ["csrf": csrf], files: [("bundle", "signed.bundle", try Self.bytes(file))])
        XCTAssertEqual(untrusted.status, 400)
        XCTAssertTrue(untrusted.body.contains("is not one of the signers the nodes trust"), untrusted.body)
        try download.data.write(to: URL(fileURLWithPath: file))
        for signer in ["officer", "authoriser"] {
            XCTAssertEqual(
                try ChildProcess.run(
                    room.d.coordinatorExe,
                    ["watchlist", "sign", "--bundle", file, "--key", "\(room.d.dir)/\(signer).key"]
                ).status, 0)
        }
        XCTAssertEqual(
            try intel.postFiles(
                page + "/signatures", ["csrf": csrf], files: [("bundle", "signed.bundle", try Self.bytes(file))]
            ).status, 302)
        draft = try intel.get(page).body
        XCTAssertTrue(draft.contains("Insp Officer") && draft.contains("Supt Authoriser"), "who signed, by name")
        XCTAssertTrue(draft.contains(#"id="expected">Expected with this list"#), "expected rates shown before planning")

        let plan = [
            "csrf": csrf, "place": "Stratford Broadway", "latitude": "51.54", "longitude": "-0.003",
            "from": "2020-01-01T00:00:00Z",
            "to": "2099-01-01T00:00:00Z", "purpose": "people wanted on warrant", "legal_basis": "common law",
            "nodes": "node1",
        ]
        XCTAssertEqual(
            try intel.post(page + "/plan", plan.merging(["nodes": "node9"]) { $1 }).status, 400, "node9 is not enrolled"
        )
        XCTAssertEqual(try intel.post(page + "/plan", plan).location, "/deployments")
        let shown = try room.cli(["deployment", "show", "--id", "dep-w"])
        XCTAssertTrue(
            shown.stdout.contains("planned") && shown.stdout.contains("Stratford Broadway"), shown.stdout + shown.stderr
        )
        let actions = try room.cli(["audit", "list", "--limit", "10000"]).stdout
        for action in [
            "watchlist.uploaded", "watchlist.built", "watchlist.downloaded", "watchlist.signed", "deployment.created",
        ] {
            XCTAssertTrue(actions.contains(action), action)
        }
    }

    /// `web.tls_certificate` and `web.tls_key`: the control room speaks only HTTPS, its cookie is
    /// Secure, and a key that others can read, or half a pair, is refused at start with the key named.
    func testTLS_servesOnlyHTTPS_withSecureCookies_andRefusesABadKeyConfig() throws {
        let d = try DeploymentFixture(self, nodes: [])
        let (cert, key) = (d.dir + "/web.crt", d.dir + "/web.key")
        let made = try ChildProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertEqual(chmod(key, 0o644), 0)
        let port = Fixtures.freePort()
        let web =
            #"{"host": "127.0.0.1", "port": \#(port), "bcrypt_cost": 4, "tls_certificate": "\#(cert)", "tls_key": "\#(key)"}"#
        try d.writeCoordinatorConfig(bundle: nil, enrolled: [], web: web)
        let refused = try ChildProcess.run(d.coordinatorExe, ["serve", "--config", d.dir + "/coordinator.json"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("web.tls_key") && refused.stderr.contains("chmod 600"), refused.stderr)
        try d.writeCoordinatorConfig(
            bundle: nil, enrolled: [], web: #"{"port": \#(port), "tls_certificate": "\#(cert)"}"#)
        let half = try ChildProcess.run(d.coordinatorExe, ["serve", "--config", d.dir + "/coordinator.json"])
        XCTAssertTrue(half.stderr.contains("give both web.tls_certificate and web.tls_key"), half.stderr)

        XCTAssertEqual(chmod(key, 0o600), 0)
        try d.writeCoordinatorConfig(bundle: nil, enrolled: [], web: web)
        let users = try ChildProcess.run(
            d.coordinatorExe,
            [
                "users", "add", "--config", d.dir + "/coordinator.json", "--as", "setup", "--name", "olivia",
                "--role", "operator",
            ], input: ControlRoom.password + "\n")
        XCTAssertEqual(users.status, 0, users.stderr)
        let server = try d.startCoordinator(bundle: nil, enrolled: [], web: web)
        defer { server.signal(SIGTERM) }
        XCTAssertTrue(server.waitForStderr("control room listening", timeout: .seconds(30)), server.stderr)
        let health = try ChildProcess.run(
            "/usr/bin/curl", ["-sS", "--cacert", cert, "https://127.0.0.1:\(port)/health"])
        XCTAssertEqual(health.stdout, "ok\n", health.stderr)
        let plain = try ChildProcess.run(
            "/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(port)/health"])
        XCTAssertNotEqual(plain.stdout, "ok\n", "plain HTTP is not served on the TLS port")
        let jar = d.dir + "/cookies.txt"
        let form = try ChildProcess.run(
            "/usr/bin/curl", ["-sS", "--cacert", cert, "-c", jar, "https://127.0.0.1:\(port)/login"])
        let token = try XCTUnwrap(WebClient.hiddenField("csrf", in: form.stdout), form.stdout)
        let signIn = try ChildProcess.run(
            "/usr/bin/curl",
            [
                "-sS", "-i", "--cacert", cert, "-b", jar, "--data-urlencode", "name=olivia",
                "--data-urlencode", "password=\(ControlRoom.password)", "--data-urlencode", "csrf=\(token)",
                "https://127.0.0.1:\(port)/login",
            ])
        let cookie = try XCTUnwrap(
            signIn.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: wp_session=") },
            signIn.stdout)
        XCTAssertTrue(signIn.stdout.lowercased().contains("strict-transport-security: max-age="), "HSTS under TLS")
        // TLS 1.1 is refused by the server even to a client willing to speak it; 1.2 is served.
        for (version, served) in [("-tls1_1", false), ("-tls1_2", true)] {
            let handshake = try ChildProcess.run(
                "/usr/bin/openssl",
                ["s_client", "-connect", "127.0.0.1:\(port)", version, "-cipher", "DEFAULT@SECLEVEL=0"],
                timeout: .seconds(20), input: "")
            XCTAssertEqual(
                handshake.status == 0, served,
                "\(version): \(handshake.stdout.suffix(300)) \(handshake.stderr.suffix(300))")
        }
        XCTAssertTrue(
            cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            String(cookie))
    }

    private static func bytes(_ path: String) throws -> [UInt8] {
        Array(try XCTUnwrap(FileManager.default.contents(atPath: path)))
    }
}
