import Foundation
import Hummingbird
import HummingbirdTesting
import RecordTestSupport
import Shared
import XCTest

@testable import ControlRoom
@testable import CoordinatorRecord

/// The alert page tells the operator who was matched and why: the subject's name, category,
/// reason and any officer-safety warning while the coordinator holds the list, the camera and time
/// in the title, and each quality figure named beside the gate's bar. After the list is destroyed,
/// the subject id alone.
final class AlertPageTests: XCTestCase {
    private func page(_ room: RouteAccessTests.ControlRoom, alert: UUID) async throws -> String {
        let sessions = room.sessions
        return try await Application(router: room.router).test(.router) { client in
            let response = try await sessions.send(
                .init(method: .get, pattern: "/alerts/\(alert.uuidString)", roles: []), as: .operator_, to: client)
            XCTAssertEqual(response.status, .ok)
            return String(buffer: response.body)
        }
    }

    private func storedAlert(_ fixture: RecordFixture, quality: [Float]) throws -> UUID {
        var alert = fixture.alert("dep-1", capturedAt: RecordFixture.t0 + 600)
        alert.quality = quality
        try AlertStore(database: fixture.database).store(alert, from: fixture.node1, receivedAt: RecordFixture.t0 + 601)
        return alert.alertID
    }

    func testTheAlertPage_namesTheSubject_whySought_andTheWarning_escaped() async throws {
        let fixture = try RecordFixture(self)
        try DeploymentStore.create(
            try fixture.plan(
                "dep-1", names: ["s-1": "Alex <b>Doe</b>"], warnings: ["s-1": "May carry a <knife>"]),
            by: "intel", in: fixture.database, at: RecordFixture.t0)
        try DeploymentStore.authorise("dep-1", officer: "Supt Ames", in: fixture.database, at: RecordFixture.t0 + 60)
        try DeploymentStore.start("dep-1", by: "op", in: fixture.database, at: RecordFixture.t0 + 120)
        let id = try storedAlert(fixture, quality: [39, 485.1, 92.1, 37, 0.1, 0.6, -4.6])
        let html = try await page(try await RouteAccessTests.ControlRoom(fixture), alert: id)
        let camera = fixture.node1.cameraID
        XCTAssert(html.contains("<title>Alex &lt;b&gt;Doe&lt;/b&gt; on camera \(camera),"), html)
        XCTAssert(html.contains("<h1>Alex &lt;b&gt;Doe&lt;/b&gt; on camera \(camera),"))
        XCTAssertFalse(html.contains("<b>Doe</b>"), "the name is escaped")
        XCTAssert(html.contains("<strong>Officer-safety warning:</strong> May carry a &lt;knife&gt;"))
        XCTAssert(html.contains("<th>Category</th><td>wanted</td>"))
        XCTAssert(html.contains("<th>Sought for</th><td>warrant</td>"))
        XCTAssert(html.contains("(s-1)"), "the id beside the name")
        XCTAssert(html.contains("<td>Face size (distance between the eyes)</td><td>39 px</td><td>at least 18 px</td>"))
        XCTAssert(html.contains("<td>Sharpness</td><td>485</td><td>at least 4</td>"))
        XCTAssert(html.contains("<td>Brightness (mean, 0 to 255)</td><td>92</td><td>25 to 225</td>"))
        XCTAssert(html.contains("<td>Head rolled (degrees)</td><td>-4.6°</td><td>at most 35° either way</td>"))
    }

    func testTheAlertsList_namesWhoWasMatched_escaped() async throws {
        let fixture = try RecordFixture(self)
        try DeploymentStore.create(
            try fixture.plan("dep-1", names: ["s-1": "Alex <b>Doe</b>"]), by: "intel", in: fixture.database,
            at: RecordFixture.t0)
        try DeploymentStore.authorise("dep-1", officer: "Supt Ames", in: fixture.database, at: RecordFixture.t0 + 60)
        try DeploymentStore.start("dep-1", by: "op", in: fixture.database, at: RecordFixture.t0 + 120)
        _ = try storedAlert(fixture, quality: [39, 485.1, 92.1, 37, 0.1, 0.6, -4.6])
        let room = try await RouteAccessTests.ControlRoom(fixture)
        let sessions = room.sessions
        let html = try await Application(router: room.router).test(.router) { client in
            String(
                buffer: try await sessions.send(
                    .init(method: .get, pattern: "/alerts", roles: []), as: .operator_, to: client
                ).body)
        }
        XCTAssert(html.contains("<td>Alex &lt;b&gt;Doe&lt;/b&gt;"), html)
        XCTAssertFalse(html.contains("<b>Doe</b>"))
    }

    func testOnceTheListIsDestroyed_thePageShowsTheIdAlone() async throws {
        let fixture = try RecordFixture(self)
        try DeploymentStore.create(
            try fixture.plan("dep-1", names: ["s-1": "Alex Doe"], warnings: ["s-1": "May carry a knife"]),
            by: "intel", in: fixture.database, at: RecordFixture.t0)
        try DeploymentStore.authorise("dep-1", officer: "Supt Ames", in: fixture.database, at: RecordFixture.t0 + 60)
        try DeploymentStore.start("dep-1", by: "op", in: fixture.database, at: RecordFixture.t0 + 120)
        let id = try storedAlert(fixture, quality: [39, 485.1, 92.1, 37, 0.1, 0.6, -4.6])
        try DeploymentStore.end("dep-1", by: "op", in: fixture.database, at: RecordFixture.t0 + 3600)
        let destroyed = try DeploymentStore.destroyDueBundles(
            delay: 0, in: fixture.database, at: RecordFixture.t0 + 3601, actor: "retention")
        XCTAssertEqual(destroyed, ["dep-1"])
        XCTAssertNil(try DeploymentStore.subject("s-1", onListOf: "dep-1", in: fixture.database))
        let html = try await page(try await RouteAccessTests.ControlRoom(fixture), alert: id)
        XCTAssertFalse(html.contains("Alex Doe"))
        XCTAssertFalse(html.contains("knife"))
        XCTAssertFalse(html.contains("Sought for"))
        XCTAssert(html.contains("<h1>s-1 on camera"), html)
    }

    func testTimes_areShownInUTC_paddedToTwoDigits() {
        XCTAssertEqual(displayTime(Date(timeIntervalSince1970: 0)), "1970-01-01 00:00:00 UTC")
        XCTAssertEqual(displayTime(Date(timeIntervalSince1970: 1_800_000_000.9)), "2027-01-15 08:00:00 UTC")
        XCTAssertEqual(displayTime(nil), "")
    }

    func testQualityFigures_thatAreNotSeven_showNoTable() {
        XCTAssertEqual(AlertQuality.rows(nil), [])
        XCTAssertEqual(AlertQuality.rows([30, 200]), [])
        XCTAssertEqual(AlertQuality.rows([39, 485.1, 92.1, 37, 0.1, 0.6, -4.6]).count, 7)
    }

    func testTheQueue_opensTheOldestAlertWaiting_andSaysWhenNoneIs() async throws {
        let fixture = try RecordFixture(self)
        try fixture.liveDeployment("dep-1")
        let store = AlertStore(database: fixture.database)
        let room = try await RouteAccessTests.ControlRoom(fixture)
        let sessions = room.sessions
        let next = RouteAccessTests.Route(method: .get, pattern: "/alerts/next", roles: [])
        var ids: [UUID] = []
        for minutes in [30.0, 10, 20] {
            let alert = fixture.alert("dep-1", capturedAt: RecordFixture.t0 + minutes * 60)
            try store.store(alert, from: fixture.node1, receivedAt: RecordFixture.t0 + 3600)
            ids.append(alert.alertID)
        }
        let waiting = ids
        try await Application(router: room.router).test(.router) { client in
            var response = try await sessions.send(next, as: .operator_, to: client)
            XCTAssertEqual(response.status, .found)
            XCTAssertEqual(
                response.headers[.location], "/alerts/\(waiting[1].uuidString)", "captured 10 min in: the oldest")
            try store.adjudicate(waiting[1], .review(.noMatch, note: nil), by: "op", at: RecordFixture.t0 + 3700)
            response = try await sessions.send(next, as: .operator_, to: client)
            XCTAssertEqual(response.headers[.location], "/alerts/\(waiting[2].uuidString)")
            for id in [waiting[0], waiting[2]] {
                try store.adjudicate(id, .review(.match, note: nil), by: "op", at: RecordFixture.t0 + 3800)
            }
            response = try await sessions.send(next, as: .operator_, to: client)
            XCTAssertEqual(response.status, .ok)
            XCTAssert(String(buffer: response.body).contains("No alert is waiting for review"))
        }
    }

    func testTheAlertPage_offersOneKeyDecisions_andSaysHowLongTheReviewTook() async throws {
        let fixture = try RecordFixture(self)
        try fixture.liveDeployment("dep-1")
        let store = AlertStore(database: fixture.database)
        let waiting = try storedAlert(fixture, quality: [39, 485.1, 92.1, 37, 0.1, 0.6, -4.6])
        let reviewed = try storedAlert(fixture, quality: [39, 485.1, 92.1, 37, 0.1, 0.6, -4.6])
        try store.adjudicate(reviewed, .review(.match, note: nil), by: "op", at: RecordFixture.t0 + 612.3)
        let room = try await RouteAccessTests.ControlRoom(fixture)
        let open = try await page(room, alert: waiting)
        XCTAssert(open.contains(#"<button name="decision" value="match" aria-keyshortcuts="M">Match (M)</button>"#))
        XCTAssert(open.contains(#"<script src="/static/alert.js"></script>"#))
        let done = try await page(room, alert: reviewed)
        XCTAssertFalse(done.contains("aria-keyshortcuts=\"M\""), "a reviewed alert offers no review")
        XCTAssert(done.contains("12.3 s after capture"), "captured at t0 + 600, reviewed at t0 + 612.3")
    }
}

/// Repeats of one subject on one camera within a pass are grouped under the first, counted by hand.
final class RepeatAlertsTests: XCTestCase {
    private func alert(_ subject: String?, camera: String = "cam-1", at seconds: TimeInterval) -> AlertRecord {
        AlertRecord(
            id: UUID(), deploymentID: "dep-1", nodeID: "node1", cameraID: camera, subject: subject, score: 1,
            distance: 0.4, quality: nil, trackFrames: nil, capturedAt: RecordFixture.t0 + seconds,
            receivedAt: RecordFixture.t0 + seconds + 1)
    }

    func testRepeatsWithinAPass_standUnderTheFirst_andAGapOrAnotherCameraStartsAnew() {
        let a0 = alert("s-1", at: 0), a1 = alert("s-1", at: 100), a2 = alert("s-1", at: 200)
        let late = alert("s-1", at: 400), other = alert("s-1", camera: "cam-2", at: 50), b = alert("s-2", at: 60)
        let purged = [alert(nil, at: 70), alert(nil, at: 71)]
        let groups = RepeatAlerts.group([late, a2, b, a0, other, a1] + purged)
        XCTAssertEqual(
            groups.map(\.first.id), [late.id, purged[1].id, purged[0].id, b.id, other.id, a0.id], "newest first")
        XCTAssertEqual(groups.last?.repeats.map(\.id), [a1.id, a2.id], "each within 120 s of the one before")
        XCTAssertEqual(groups.first?.repeats.count, 0, "200 s after the last sighting: a new pass")
        XCTAssertEqual(groups.filter { $0.first.subject == nil }.map(\.repeats.count), [0, 0], "purged stand alone")
    }
}
