import Foundation
import Hummingbird
import HummingbirdTesting
import RecordTestSupport
import Shared
import XCTest

@testable import ControlRoom
@testable import CoordinatorRecord

/// The field officer's phone pages: a match the operator sends reaches the officers on the
/// deployment's team with who the person is; stage 2 with the stop's record comes back from the
/// phone; an officer to whom an alert was not sent, or whose deployment ended, gets 404 for it
/// on every route, exactly as for an id that does not exist.
final class FieldOfficerPageTests: XCTestCase {
    private typealias Route = RouteAccessTests.Route
    private let t0 = RecordFixture.t0
    private static let officer = "user-\(Role.fieldOfficer.rawValue)"

    /// A live deployment with a named, warned subject, one alert on it, and a room whose field
    /// officer is on the team when `onTeam` (else another officer is).
    private func matchedAlert(onTeam: Bool) async throws -> (RecordFixture, RouteAccessTests.ControlRoom, UUID) {
        let f = try RecordFixture(self)
        try DeploymentStore.create(
            try f.plan("dep-1", names: ["s-1": "Alex <b>Doe</b>"], warnings: ["s-1": "May carry a knife"]),
            by: "intel", in: f.database, at: t0)
        try DeploymentStore.authorise("dep-1", officer: "Supt Ames", in: f.database, at: t0 + 60)
        try DeploymentStore.start("dep-1", by: "op", in: f.database, at: t0 + 120)
        let room = try await RouteAccessTests.ControlRoom(f)
        let other = "PC Other"
        try UserStore(database: f.database, bcryptCost: 4).add(
            other, role: .fieldOfficer, password: "correct horse battery", by: "adm", at: t0)
        try FieldTeam.assign(onTeam ? Self.officer : other, to: "dep-1", by: "Sgt Dale", in: f.database, at: t0 + 130)
        let alert = f.alert("dep-1", capturedAt: t0 + 600)
        try AlertStore(database: f.database).store(alert, from: f.node1, receivedAt: t0 + 601)
        return (f, room, alert.alertID)
    }

    func testTheOperatorsMatch_reachesTheTeamsPhone_withWhoAndWhy_andStage2ComesBack() async throws {
        let (f, room, id) = try await matchedAlert(onTeam: true)
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            let list = Route(method: .get, pattern: "/field", roles: [])
            var page = String(buffer: try await sessions.send(list, as: .fieldOfficer, to: client).body)
            XCTAssert(page.contains("No match has been sent to you yet."), "nothing before the operator's match")

            let review = try await sessions.send(
                Route(method: .post, pattern: "/alerts/\(id.uuidString)/review", roles: []), as: .operator_,
                fields: [("decision", "match")], to: client)
            XCTAssertEqual(review.status, .found)
            page = String(buffer: try await sessions.send(list, as: .fieldOfficer, to: client).body)
            XCTAssert(
                page.contains("<a href=\"/field/alerts/\(id.uuidString)\"><strong>Alex &lt;b&gt;Doe&lt;/b&gt;"), page)

            let alertPage = try await sessions.send(
                Route(method: .get, pattern: "/field/alerts/\(id.uuidString)", roles: []), as: .fieldOfficer, to: client
            )
            XCTAssertEqual(alertPage.status, .ok)
            let html = String(buffer: alertPage.body)
            XCTAssert(html.contains("<strong>Officer-safety warning:</strong> May carry a knife"))
            XCTAssert(html.contains("<h1>Alex &lt;b&gt;Doe&lt;/b&gt;</h1>"))
            XCTAssert(html.contains("wanted: warrant"))
            XCTAssert(html.contains("name=\"viewport\""), "the page is laid out for a phone")
            XCTAssertEqual(SelfDefinedEthnicity.allCases.filter { html.contains("value=\"\($0.rawValue)\"") }.count, 19)
            for image in ["crop.jpg", "reference"] {
                let response = try await sessions.send(
                    Route(method: .get, pattern: "/field/alerts/\(id.uuidString)/\(image)", roles: []),
                    as: .fieldOfficer, to: client)
                XCTAssertEqual(response.status, .ok, image)
            }

            let outcome = Route(method: .post, pattern: "/field/alerts/\(id.uuidString)/outcome", roles: [])
            let refused = try await sessions.send(
                outcome, as: .fieldOfficer,
                fields: [("outcome", "not the person"), ("action", "advice"), ("ethnicity", "Z9")], to: client)
            XCTAssertEqual(refused.status, .badRequest)
            XCTAssertEqual(refused.headers[.init("Watchpost-Refusal")!], "form.notAChoice")
            let recorded = try await sessions.send(
                outcome, as: .fieldOfficer,
                fields: [
                    ("outcome", "not the person"), ("action", "advice"), ("ethnicity", "B2"), ("sex", "male"),
                    ("minutes", "6"), ("note", "released"),
                ], to: client)
            XCTAssertEqual(recorded.status, .found)
        }
        let alert = try AlertStore(database: f.database).show(id)
        XCTAssertEqual(alert.outcome, .notThePerson)
        XCTAssertEqual(alert.outcomeBy, Self.officer)
        XCTAssertEqual(alert.stop, StopRecord(ethnicity: .caribbean, sex: .male, minutes: 6))
    }

    func testAnOfficerTheAlertWasNotSentTo_getsNotFoundOnEveryRoute_likeAnIdThatDoesNotExist() async throws {
        let (f, room, id) = try await matchedAlert(onTeam: false)
        try AlertStore(database: f.database).adjudicate(id, .review(.match, note: nil), by: "op", at: t0 + 610)
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            let page = String(
                buffer: try await sessions.send(
                    Route(method: .get, pattern: "/field", roles: []), as: .fieldOfficer, to: client
                ).body)
            XCTAssertFalse(page.contains(id.uuidString))
            XCTAssertFalse(page.contains("Alex"))
            for alert in [id, UUID()] {
                for (method, path) in [
                    (HTTPRequest.Method.get, ""), (.get, "/crop.jpg"), (.get, "/reference"), (.post, "/outcome"),
                ] {
                    let response = try await sessions.send(
                        Route(method: method, pattern: "/field/alerts/\(alert.uuidString)\(path)", roles: []),
                        as: .fieldOfficer, fields: [("outcome", "identity verified"), ("action", "arrest")],
                        to: client)
                    XCTAssertEqual(response.status, .notFound, "\(method) \(path)")
                    XCTAssertFalse(String(buffer: response.body).contains("Alex"))
                }
            }
        }
        XCTAssertNil(try AlertStore(database: f.database).show(id).outcome, "the refused outcome wrote nothing")
    }

    func testOnceTheDeploymentEnds_itsAlertsLeaveThePhone() async throws {
        let (f, room, id) = try await matchedAlert(onTeam: true)
        try AlertStore(database: f.database).adjudicate(id, .review(.match, note: nil), by: "op", at: t0 + 610)
        try DeploymentStore.end("dep-1", by: "Sgt Dale", in: f.database, at: t0 + 700)
        let sessions = room.sessions
        try await Application(router: room.router).test(.router) { client in
            let response = try await sessions.send(
                Route(method: .get, pattern: "/field/alerts/\(id.uuidString)", roles: []), as: .fieldOfficer,
                to: client)
            XCTAssertEqual(response.status, .notFound)
        }
    }

    func testTheSupervisorPutsAFieldOfficerOnTheTeam_andTakesThemOff() async throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        let room = try await RouteAccessTests.ControlRoom(f)
        let sessions = room.sessions, database = f.database
        try await Application(router: room.router).test(.router) { client in
            let deployments = Route(method: .get, pattern: "/deployments", roles: [])
            var page = String(buffer: try await sessions.send(deployments, as: .supervisor, to: client).body)
            XCTAssert(
                page.contains("<option>\(Self.officer)</option>"), "the field officers not on the team are offered")
            let add = try await sessions.send(
                Route(method: .post, pattern: "/deployments/dep-1/team", roles: []), as: .supervisor,
                fields: [("officer", Self.officer)], to: client)
            XCTAssertEqual(add.status, .found)
            XCTAssertEqual(try FieldTeam.members(of: "dep-1", in: database), [Self.officer])
            let again = try await sessions.send(
                Route(method: .post, pattern: "/deployments/dep-1/team", roles: []), as: .supervisor,
                fields: [("officer", "user-operator")], to: client)
            XCTAssertEqual(again.status, .badRequest, "an operator is not a field officer")
            page = String(buffer: try await sessions.send(deployments, as: .supervisor, to: client).body)
            XCTAssert(page.contains("Take \(Self.officer) off the team"))
            let release = try await sessions.send(
                Route(method: .post, pattern: "/deployments/dep-1/team/release", roles: []), as: .supervisor,
                fields: [("officer", Self.officer)], to: client)
            XCTAssertEqual(release.status, .found)
        }
        XCTAssertEqual(try FieldTeam.members(of: "dep-1", in: f.database), [])
    }
}
