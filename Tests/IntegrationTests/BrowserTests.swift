import FaceEngine
import Foundation
import TestSupport
import VisionTestSupport
import XCTest

/// The control room in a real headless Chromium: sign in as an operator, see a live alert from a
/// real edge node appear without reloading, review it with the keyboard; the match reaches the
/// field officer's phone (a 390x844 viewport), where stage 2 is recorded; an auditor is refused
/// the operator's action and reads the report. Screenshots of every main page are saved to
/// `.build/test-artefacts/screenshots` (or $WATCHPOST_ARTEFACTS).
final class BrowserTests: XCTestCase {
    private var artefacts: String {
        ProcessInfo.processInfo.environment["WATCHPOST_ARTEFACTS"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
            + "/.build/test-artefacts/screenshots"
    }

    /// axe-core finds no WCAG 2.0 A or AA violation on the page the browser shows.
    private func assertAccessible(_ browser: Browser, _ page: String, line: UInt = #line) throws {
        XCTAssertEqual(try browser.accessibilityViolations(), [], "\(page) page", line: line)
    }

    func testOperator_seesALiveAlertAppear_andAdjudicatesItWithClicks_auditorReadsTheReport() throws {
        let operatorBrowser = try Browser()
        let room = try ControlRoom(self)
        defer { room.server.signal(SIGTERM) }
        let web = "http://127.0.0.1:\(room.port)"
        try room.planDeployment()
        let officer = room.client(), supervisor = room.client()
        try officer.signIn("amy", ControlRoom.password)
        try supervisor.signIn("sam", ControlRoom.password)
        XCTAssertEqual(try officer.post("/deployments/dep-7/authorise", ["csrf": try officer.csrf()]).status, 302)
        XCTAssertEqual(try supervisor.post("/deployments/dep-7/start", ["csrf": try supervisor.csrf()]).status, 302)
        XCTAssertEqual(
            try supervisor.post("/deployments/dep-7/team", ["csrf": try supervisor.csrf(), "officer": "fran"]).status,
            302)
        let startedDay = String(ISO8601DateFormatter().string(from: Date()).prefix(10))

        // The field officer's phone waits on its own page for what the operator sends.
        let phone = try Browser(phone: true)
        try phone.open(web + "/login")
        try assertAccessible(phone, "sign-in")
        // The check can fail: an image without a text alternative is a WCAG 2.0 A violation.
        _ = try phone.run("document.body.insertAdjacentHTML('beforeend', '<img src=\"/x.png\">'); return true;")
        let broken = try phone.accessibilityViolations()
        XCTAssertTrue(broken.contains { $0.hasPrefix("image-alt:") }, "\(broken)")
        try phone.signIn(web, "fran", ControlRoom.password)
        let phoneLanding = try phone.url
        XCTAssertTrue(phoneLanding.hasSuffix("/field"), phoneLanding)
        XCTAssertTrue(try phone.waitFor("No match has been sent to you yet.", timeout: .seconds(10)))

        try operatorBrowser.signIn(web, "olivia", ControlRoom.password)
        let landing = try operatorBrowser.url
        XCTAssertTrue(landing.hasSuffix("/alerts"), landing)
        try operatorBrowser.open(web + "/alerts?deployment=dep-7")
        XCTAssertTrue(try operatorBrowser.waitFor("Live: new alerts appear", timeout: .seconds(10)))
        let node = try room.d.startNode(
            "node1", source: try room.d.clip(of: "obama.jpg", to: "obama.mp4", seconds: 3), loop: true)
        defer { node.signal(SIGTERM) }
        // No navigation from here: the row must arrive through the page's event stream.
        XCTAssertTrue(
            try operatorBrowser.waitFor("class=\"new\"", timeout: .seconds(120)), "no live row: \(node.stderr)")
        try operatorBrowser.screenshot(to: artefacts + "/alerts.png")
        try assertAccessible(operatorBrowser, "alerts")
        try operatorBrowser.click("tr.new a")
        XCTAssertTrue(try operatorBrowser.waitFor("1. Operator's review", timeout: .seconds(10)))
        try operatorBrowser.screenshot(to: artefacts + "/alert.png")
        try assertAccessible(operatorBrowser, "alert")
        let alertURL = try operatorBrowser.url
        // The keyboard alone decides: a key typed into the note is text, not a decision; outside it, M is Match.
        try operatorBrowser.type("n", into: "input[name=note]")
        try operatorBrowser.press("n")
        XCTAssertEqual(try operatorBrowser.value(of: "input[name=note]"), "nn", "both keys went into the note")
        try operatorBrowser.click("#review")
        try operatorBrowser.press("m")
        XCTAssertTrue(try operatorBrowser.waitFor("2. Field outcome", timeout: .seconds(10)))
        XCTAssertTrue(try operatorBrowser.source.contains("s after capture"), "the review's time to decision")

        // The match reaches the phone through its event stream (no reload); stage 2 is recorded there.
        let sent = try phone.waitFor("class=\"new\"", timeout: .seconds(10))
        XCTAssertTrue(sent, "the match did not reach the phone")
        XCTAssertTrue(try phone.source.contains("<strong>B</strong>"), "the name, not an id")
        try phone.screenshot(to: artefacts + "/field.png")
        try assertAccessible(phone, "field")
        try phone.click("li.new a")
        XCTAssertTrue(try phone.waitFor("What happened", timeout: .seconds(10)))
        let width = try phone.run("return document.documentElement.scrollWidth;") as? Int
        XCTAssertEqual(width, Browser.phone.width, "the page fits the phone: nothing to scroll sideways")
        try phone.click("select[name=ethnicity] option[value='W9']")
        try phone.click("select[name=sex] option[value='male']")
        try phone.type("4", into: "input[name=minutes]")
        try phone.screenshot(to: artefacts + "/field-alert.png")
        try assertAccessible(phone, "field-alert")
        try phone.click("button[value='identity verified']")
        XCTAssertTrue(try phone.waitFor("Recorded:", timeout: .seconds(10)), "stage 2 not recorded from the phone")
        try operatorBrowser.open(alertURL)
        let recorded = try operatorBrowser.waitFor("identity verified, no action", timeout: .seconds(10))
        let shown = try operatorBrowser.source
        XCTAssertTrue(recorded, shown)
        XCTAssertTrue(try operatorBrowser.source.contains("match by olivia"))
        try operatorBrowser.open(web + "/nodes")
        XCTAssertTrue(try operatorBrowser.waitFor("node1", timeout: .seconds(10)))
        try operatorBrowser.screenshot(to: artefacts + "/nodes.png")
        try assertAccessible(operatorBrowser, "nodes")

        // The supervisor's deployments page, with its forms (start, end, the field team).
        let supervisorBrowser = try Browser()
        try supervisorBrowser.signIn(web, "sam", ControlRoom.password)
        try supervisorBrowser.open(web + "/deployments")
        XCTAssertTrue(try supervisorBrowser.waitFor("Take fran off the team", timeout: .seconds(10)))
        try assertAccessible(supervisorBrowser, "deployments, as the supervisor")

        let auditorBrowser = try Browser()
        try auditorBrowser.signIn(web, "aud", ControlRoom.password)
        try auditorBrowser.open(alertURL)
        XCTAssertFalse(
            try auditorBrowser.source.contains("value=\"match\""), "the auditor gets no adjudication form (403)")
        try auditorBrowser.open(web + "/deployments")
        XCTAssertTrue(try auditorBrowser.waitFor("dep-7", timeout: .seconds(10)))
        try auditorBrowser.screenshot(to: artefacts + "/deployments.png")
        try assertAccessible(auditorBrowser, "deployments")
        try auditorBrowser.open(web + "/reports?deployment=dep-7")
        XCTAssertTrue(try auditorBrowser.waitFor("1 confirmed by the operator", timeout: .seconds(10)))
        XCTAssertTrue(try auditorBrowser.source.contains("1 verified by engagement"))
        try auditorBrowser.screenshot(to: artefacts + "/report.png")
        try assertAccessible(auditorBrowser, "report")
        // Reports for any period: the index, then today's report, in the page itself.
        try auditorBrowser.open(web + "/reports")
        XCTAssertTrue(try auditorBrowser.waitFor("A period's report", timeout: .seconds(10)))
        try auditorBrowser.screenshot(to: artefacts + "/reports.png")
        try assertAccessible(auditorBrowser, "reports")
        // The supervisor's report for a period (what the index's form asks for), with the phone's stop.
        try supervisorBrowser.open(web + "/reports?from=\(startedDay)&to=\(startedDay)")
        XCTAssertTrue(try supervisorBrowser.waitFor("Deployments from \(startedDay)", timeout: .seconds(10)))
        let period = try supervisorBrowser.source
        XCTAssertTrue(period.contains("1 confirmed by the operator"), "dep-7 went live that day")
        XCTAssertTrue(period.contains("<td>White</td><td>1</td>"), "the stop the phone recorded, by group")
        XCTAssertFalse(period.contains("<iframe"))
        try assertAccessible(supervisorBrowser, "a period's report")
        try auditorBrowser.open(web + "/audit")
        XCTAssertTrue(try auditorBrowser.waitFor("audit log intact", timeout: .seconds(10)))
        try auditorBrowser.screenshot(to: artefacts + "/audit.png")
        try assertAccessible(auditorBrowser, "audit")
        let audited = try room.cli(["audit", "list", "--action", "web.access_refused"]).stdout
        XCTAssertTrue(audited.contains("aud") && audited.contains("GET /alerts/"), audited)
    }

    func testIntelligence_uploadsAListWithItsPhotos_andBuildsItInTheBrowser() throws {
        let browser = try Browser()
        let room = try ControlRoom(self, watchlists: true)
        defer { room.server.signal(SIGTERM) }
        let web = "http://127.0.0.1:\(room.port)", dir = room.d.dir
        try """
        subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18
        s-101,Barack,wanted,warrant 123,custody photo,obama.jpg;scan.jpg,warrant 123,no
        s-102,Joe,wanted,warrant 456,custody photo,biden.jpg,warrant 456,no
        s-103,Barry,wanted,warrant 789,press photo,pair.jpg,warrant 789,no
        """.write(toFile: dir + "/list.csv", atomically: true, encoding: .utf8)
        // Two people side by side: refused as holding two faces until the subject's is picked.
        let pair = try Image(contentsOf: try Fixtures.photo("obama2.jpg")).sideBySide(
            with: try Image(contentsOf: try Fixtures.photo("biden.jpg")))
        FileManager.default.createFile(
            atPath: dir + "/pair.jpg",
            contents: Data(try pair.jpeg(of: Box(x: 0, y: 0, width: Float(pair.width), height: Float(pair.height)))))
        // A JPEG header declaring 32x32 pixels with no image data after it: taken at upload, refused at the build.
        FileManager.default.createFile(
            atPath: dir + "/scan.jpg",
            contents: Data([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 8, 0x00, 0x20, 0x00, 0x20, 3, 9, 9]))
        try browser.signIn(web, "ian", ControlRoom.password)
        try browser.open(web + "/watchlists")
        for (field, value) in [
            ("deployment", "dep-b"), ("watchlist", "wl-b"), ("version", "3"), ("expires", "2099-01-01T00:00:00Z"),
            ("threshold", "0.6"),
        ] {
            try browser.type(value, into: "input[name=\(field)]")
        }
        try browser.type(dir + "/list.csv", into: "input[name=manifest]")
        // A multiple file input takes its files as one newline-separated list.
        try browser.type(
            ["obama.jpg", "biden.jpg", "scan.jpg", "pair.jpg"].map { dir + "/" + $0 }.joined(separator: "\n"),
            into: "input[name=photos]")
        try browser.screenshot(to: artefacts + "/watchlists.png")
        try assertAccessible(browser, "watchlists")
        try browser.click("#upload button")
        let uploaded = try browser.waitFor("Build the bundle", timeout: .seconds(10))
        let afterUpload = try browser.source
        XCTAssertTrue(uploaded, afterUpload)
        try browser.click("#build")
        let built = try browser.waitFor("id=\"built\"", timeout: .seconds(120))
        let afterBuild = try browser.source
        XCTAssertTrue(built, afterBuild)
        let page = try browser.source
        XCTAssertTrue(page.contains("2 subjects, 2 templates"), page)
        XCTAssertTrue(page.contains("cannot be decoded as an image"), "the refused photo and its reason")
        XCTAssertTrue(page.contains("2 faces found"), "the group photo's refusal")
        XCTAssertTrue(page.contains("Download the bundle for signing"))
        try browser.screenshot(to: artefacts + "/watchlist.png")
        try assertAccessible(browser, "watchlist")

        // The officer picks Barry's face (the left one) over the photo, and builds again.
        let faceButtons = try browser.run("return document.querySelectorAll('button.face').length;") as? Int
        XCTAssertEqual(faceButtons, 2, "one button over each face found")
        let left =
            try browser.run(
                "const b = [...document.querySelectorAll('button.face')]; return b[0].getBoundingClientRect().x < b[1].getBoundingClientRect().x ? 0 : 1;"
            ) as? Int
        _ = try browser.run("document.querySelector('.pick').scrollIntoView(); return true;")
        try browser.screenshot(to: artefacts + "/watchlist-pick.png")
        try browser.click("button.face[aria-label='Face \((left ?? 0) + 1) is Barry']")
        XCTAssertTrue(
            try browser.waitFor("id=\"state\">uploaded", timeout: .seconds(10)),
            "the build without the face is set aside")
        try browser.click("#build")
        let rebuilt = try browser.waitFor("3 subjects, 3 templates", timeout: .seconds(120))
        let afterPick = try browser.source
        XCTAssertTrue(rebuilt, afterPick)
        XCTAssertFalse(afterPick.contains("2 faces found"), "the photo is enrolled with the face picked")
        XCTAssertTrue(afterPick.contains("face marked at x"), "the mark is shown beside the photo")
    }
}

/// `scripts/demo.sh` in a headless browser: its first alert is on the operator's page within
/// 60 s of the system being up, and Ctrl-C stops it cleanly.
final class DemoTests: XCTestCase {
    func testDemo_firstAlertVisibleInTheUIWithin60s_andCtrlCStopsEverything() throws {
        let repo = Fixtures.repository
        let bin = Fixtures.executablesFolder
        let browser = try Browser()
        let dir = try Fixtures.temporaryFolder(self)
        let port = Fixtures.freePort()
        let demo = try ChildProcess(
            "/bin/bash", [repo + "/scripts/demo.sh"],
            environment: ["WATCHPOST_DEMO_DIR": dir + "/demo", "WATCHPOST_DEMO_PORT": "\(port)", "WATCHPOST_BIN": bin])
        defer { demo.signal(SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(300)
        while !demo.stdout.contains("demo: ready"), demo.process.isRunning, ContinuousClock.now < deadline {
            usleep(200_000)
        }
        XCTAssertTrue(demo.stdout.contains("demo: ready"), demo.stderr)
        let up = ContinuousClock.now
        let logins = try String(contentsOfFile: dir + "/demo/logins.txt", encoding: .utf8)
        let operatorLine = try XCTUnwrap(logins.split(separator: "\n").first { $0.hasPrefix("demo-operator ") })
        let password = String(try XCTUnwrap(operatorLine.split(separator: " ").last))
        try browser.signIn("http://127.0.0.1:\(port)", "demo-operator", password)
        try browser.open("http://127.0.0.1:\(port)/alerts")
        // A row of the alert table (server-rendered or arrived live) carries its capture time.
        let seen = try browser.waitFor("data-captured=\"", timeout: .seconds(60))
        let nodeLog = (try? String(contentsOfFile: dir + "/demo/node1.log", encoding: .utf8)) ?? ""
        XCTAssertTrue(seen, "no alert in the UI within 60 s: \(nodeLog.suffix(3000))")
        XCTAssertLessThan(ContinuousClock.now - up, .seconds(60))
        demo.signal(SIGINT)
        XCTAssertEqual(demo.wait(timeout: .seconds(60)), 0, demo.stderr)
        XCTAssertTrue(demo.stderr.contains("demo: stopped"), demo.stderr)
        let node1 = try String(contentsOfFile: dir + "/demo/node1.log", encoding: .utf8)
        XCTAssertTrue(node1.contains("deployment ended on command: watchlist wiped"), String(node1.suffix(2000)))
    }
}
