import BenchmarkSupport
import Foundation
import TestSupport
import XCTest

/// The control room attacked from outside, against a real `coordinator serve` on 127.0.0.1: one
/// test per finding of the security review (issue 21), each of which failed before its fix.
final class SecurityTests: XCTestCase {
    func testEveryResponse_carriesTheSecurityHeaders_andNoPageRunsInlineScript() throws {
        let room = try ControlRoom(self)
        defer { room.server.signal(SIGTERM) }
        let operator_ = room.client()
        XCTAssertEqual(try operator_.signIn("olivia", ControlRoom.password).status, 302)
        for path in [
            "/login", "/health", "/alerts", "/static/alerts.js", "/alerts/00000000-0000-0000-0000-000000000000",
            "/nodes", "/no-such-page",
        ] {
            let reply = try (path == "/login" ? room.client() : operator_).get(path)
            let policy = reply.headers["content-security-policy"] ?? ""
            let scripts = policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first {
                $0.hasPrefix("script-src")
            }
            XCTAssertEqual(scripts, "script-src 'self'", "\(path): no inline script may run")
            for directive in ["form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"] {
                XCTAssertTrue(policy.contains(directive), "\(path): \(policy)")
            }
            XCTAssertEqual(reply.headers["x-content-type-options"], "nosniff", path)
            XCTAssertEqual(reply.headers["referrer-policy"], "no-referrer", path)
            XCTAssertEqual(reply.headers["cache-control"], "no-store", path)
            XCTAssertNil(reply.body.range(of: "<script>"), "\(path) holds an inline script")
        }
    }

    func testSignIn_withoutTheFormsOwnToken_isRefused_andOpensNoSession() throws {
        let room = try ControlRoom(self)
        defer { room.server.signal(SIGTERM) }
        let forged = room.client()
        let reply = try forged.post("/login", ["name": "olivia", "password": ControlRoom.password])
        XCTAssertEqual(reply.status, 403)
        XCTAssertNil(
            reply.headers["set-cookie"].flatMap { WebClient.cookie(SessionCookie.name, in: $0) },
            "a login CSRF opens no session")
        let form = try forged.signInForm()
        forged.cookie = form.cookie
        XCTAssertEqual(
            try forged.post("/login", ["name": "olivia", "password": ControlRoom.password, "csrf": form.token + "x"])
                .status, 403)
    }

    func testEveryRefusal_takesTheSameDelay_whetherTheNameIsUnknownLockedOrTheWrongPassword() throws {
        let room = try ControlRoom(self)
        defer { room.server.signal(SIGTERM) }
        for _ in 0..<5 { XCTAssertEqual(try room.client().signIn("aud", "not the password at all").status, 401) }
        func timed(_ name: String, _ password: String) throws -> (Int, Duration) {
            let client = room.client()
            let form = try client.signInForm()
            client.cookie = form.cookie
            let start = ContinuousClock.now
            let status = try client.post("/login", ["name": name, "password": password, "csrf": form.token]).status
            return (status, ContinuousClock.now - start)
        }
        for (name, password) in [
            ("nobody-at-all", "whatever password"), ("aud", ControlRoom.password), ("sam", "not the password at all"),
        ] {
            let (status, took) = try timed(name, password)
            XCTAssertEqual(status, 401, name)
            XCTAssertGreaterThanOrEqual(took, .milliseconds(990), "\(name): every refusal waits out the same delay")
        }
    }

    func testAHugeUnknownName_isAuditedBounded_andTheAuditPageStaysNarrow() throws {
        let room = try ControlRoom(self)
        defer { room.server.signal(SIGTERM) }
        let huge = String(repeating: "y", count: 60_000)
        XCTAssertEqual(try room.client().signIn(huge, "whatever password").status, 401)
        let auditor = room.client()
        XCTAssertEqual(try auditor.signIn("aud", ControlRoom.password).status, 302)
        let page = try auditor.get("/audit").body
        XCTAssertFalse(page.contains(String(repeating: "y", count: 100)), "the name is not kept whole")
        XCTAssertTrue(page.contains("sha256"), "a digest stands for the rest")
        XCTAssertLessThan(page.utf8.count, 60_000)
        let listed = try room.cli(["audit", "list", "--action", "user.login_failed"]).stdout
        XCTAssertLessThan(listed.count, 2_000, listed)
    }

    func testALiveAlertStream_endsWhenItsSessionSignsOut() throws {
        let room = try ControlRoom(self)
        defer { room.server.signal(SIGTERM) }
        let operator_ = room.client()
        XCTAssertEqual(try operator_.signIn("olivia", ControlRoom.password).status, 302)
        let stream = try EventStreamReader(
            port: room.port, path: "/alerts/stream", cookie: try XCTUnwrap(operator_.cookie))
        XCTAssertFalse(stream.hasEnded(within: .seconds(3)), "open while the session is")
        XCTAssertEqual(try operator_.post("/logout", ["csrf": try operator_.csrf(from: "/alerts")]).status, 302)
        XCTAssertTrue(stream.hasEnded(within: .seconds(10)), "the stream of a session that signed out ends")
    }

    func testHostileUploads_areRefusedNamingTheProblem_writeNothing_andTheServerKeepsServing() throws {
        let room = try ControlRoom(self, watchlists: true)
        defer { room.server.signal(SIGTERM) }
        let intel = room.client()
        XCTAssertEqual(try intel.signIn("ian", ControlRoom.password).status, 302)
        let csrf = try intel.csrf(from: "/watchlists")
        let fields = [
            "csrf": csrf, "deployment": "dep-h", "watchlist": "wl-h", "version": "1", "expires": "2099-01-01T00:00:00Z",
            "threshold": "0.6",
        ]
        let photo = Array(try Data(contentsOf: URL(fileURLWithPath: try Fixtures.photo("obama.jpg"))))
        let header = "subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18"
        // A 20000x20000 PNG header: what the decoder would allocate 1.2 GB for.
        let huge: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + [
                0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20, 8, 2, 0, 0, 0,
            ]
        let cases: [(String, [(String, String, [UInt8])], String)] = [
            (
                "repeated column",
                [
                    ("manifest", "list.csv", Array("\(header),category\ns-1,A,wanted,w,custody,a.jpg,w,no,x\n".utf8)),
                    ("photos", "a.jpg", photo),
                ],
                "list.csv line 1 column 9 names the column 'category' twice"
            ),
            (
                "100,000 columns",
                [
                    ("manifest", "list.csv", Array((0..<100_000).map { "c\($0)" }.joined(separator: ",").utf8)),
                    ("photos", "a.jpg", photo),
                ],
                "list.csv line 1 has more than 64 columns"
            ),
            (
                "invalid UTF-8",
                [
                    (
                        "manifest", "list.csv",
                        Array("\(header)\ns-1,".utf8) + [0xFF, 0xFE] + Array(",wanted,w,custody,a.jpg,w,no\n".utf8)
                    ),
                    ("photos", "a.jpg", photo),
                ], "list.csv line 2 is not UTF-8 text"
            ),
            (
                "path traversal",
                [
                    ("manifest", "list.csv", Array("\(header)\ns-1,A,wanted,w,custody,../../etc/a.jpg,w,no\n".utf8)),
                    ("photos", "a.jpg", photo),
                ],
                "names a folder"
            ),
            (
                "huge canvas",
                [
                    ("manifest", "list.csv", Array("\(header)\ns-1,A,wanted,w,custody,big.png,w,no\n".utf8)),
                    ("photos", "big.png", huge),
                ],
                "photo big.png is 20000x20000 pixels, more than 40 megapixels"
            ),
        ]
        for (what, files, expected) in cases {
            let reply = try intel.postFiles("/watchlists", fields, files: files)
            XCTAssertEqual(reply.status, 400, what)
            XCTAssertTrue(
                reply.body.contains(expected.replacingOccurrences(of: "'", with: "&#39;"))
                    || reply.body.contains(expected), "\(what): \(reply.body.prefix(2000))")
            XCTAssertEqual(try room.client().get("/health").status, 200, "\(what): the server keeps serving")
        }
        // A byte over 127 in a part's header name made MultipartKit trap and took the coordinator down (found by FileFuzz).
        let hostile =
            Array("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n--XyZ\r\n".utf8) + [
                0xC3, 0xA9,
            ]
            + Array(": x\r\n\r\nbody\r\n--XyZ--\r\n".utf8)
        let refused = try intel.postRaw("/watchlists", body: hostile, contentType: "multipart/form-data; boundary=XyZ")
        XCTAssertEqual(refused.status, 400, refused.body)
        XCTAssertTrue(refused.body.contains("not a well-formed multipart form"), refused.body)
        XCTAssertEqual(try room.client().get("/health").status, 200, "the server survives a hostile multipart header")
        XCTAssertFalse(try intel.get("/watchlists").body.contains("dep-h"), "no refused upload left a draft")
    }

    func testAnIdleConnection_isClosedByTheServer() throws {
        let room = try ControlRoom(self, idleTimeout: 2)
        defer { room.server.signal(SIGTERM) }
        let idle = try EventStreamReader(port: room.port, path: nil, cookie: "")
        XCTAssertTrue(
            idle.hasEnded(within: .seconds(10)), "a connection that sends nothing is closed after web.idle_timeout_s")
    }
}
