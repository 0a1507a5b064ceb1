import CoordinatorRecord
import Foundation
import Hummingbird
import HummingbirdTesting
import RecordTestSupport
import Shared
import XCTest

@testable import ControlRoom

/// The reports index, a period's report and its exports; the audit log a page at a time, filtered,
/// with long values cut.
final class ReportAndAuditPageTests: XCTestCase {
    private func get(_ room: RouteAccessTests.ControlRoom, _ path: String, as role: Role) async throws -> (
        status: HTTPResponse.Status, body: String, headers: HTTPFields
    ) {
        let sessions = room.sessions
        return try await Application(router: room.router).test(.router) { client in
            let response = try await sessions.send(.init(method: .get, pattern: path, roles: []), as: role, to: client)
            return (response.status, String(buffer: response.body), response.headers)
        }
    }

    func testTheReportsIndex_listsEveryDeployment_andOffersAPeriod() async throws {
        let fixture = try RecordFixture(self)
        try fixture.liveDeployment("dep-1")
        try DeploymentStore.create(try fixture.plan("dep-2"), by: "intel", in: fixture.database, at: RecordFixture.t0)
        let room = try await RouteAccessTests.ControlRoom(fixture)
        let index = try await get(room, "/reports", as: .supervisor)
        XCTAssertEqual(index.status, .ok)
        XCTAssert(index.body.contains(#"<a href="/reports?deployment=dep-1">dep-1</a>"#))
        XCTAssert(index.body.contains(#"<a href="/reports?deployment=dep-2">dep-2</a>"#), "planned, not yet live")
        XCTAssert(index.body.contains("Oxford Circus &lt;north exit&gt;"), "places escaped")
        XCTAssert(index.body.contains(#"<input type="date" name="from" required>"#))
        XCTAssert(index.body.contains(#"<a href="/reports">Reports</a>"#), "in the navigation")
    }

    func testAPeriodsReport_isInThePage_notInAFrame_andExportsAsCSVAndJSON() async throws {
        let fixture = try RecordFixture(self)
        try fixture.liveDeployment("dep-1")
        let day = String(ISO8601DateFormatter().string(from: RecordFixture.t0).prefix(10))
        let room = try await RouteAccessTests.ControlRoom(fixture)
        let page = try await get(room, "/reports?from=\(day)&to=\(day)", as: .auditor)
        XCTAssertEqual(page.status, .ok)
        XCTAssertFalse(page.body.contains("<iframe"))
        XCTAssert(page.body.contains(#"<div class="report">"#))
        XCTAssert(page.body.contains("<td>dep-1</td>"), "the deployment that went live that day")
        let csv = try await get(room, "/reports/export?from=\(day)&to=\(day)&format=csv", as: .auditor)
        XCTAssertEqual(csv.status, .ok)
        XCTAssert(csv.body.hasPrefix("deployment,place,"))
        XCTAssertEqual(csv.headers[.contentDisposition], "attachment; filename=\"report-\(day)-\(day).csv\"")
        let json = try await get(room, "/reports/export?from=\(day)&to=\(day)&format=json", as: .auditor)
        XCTAssert(json.body.contains("\"time_to_review\""))
        let bad = try await get(room, "/reports?from=yesterday&to=\(day)", as: .auditor)
        XCTAssertEqual(bad.status, .badRequest)
        XCTAssert(bad.body.contains("from &#39;yesterday&#39; is not a time") || bad.body.contains("is not a time"))
        let half = try await get(room, "/reports?from=\(day)", as: .auditor)
        XCTAssertEqual(half.status, .badRequest)
    }

    func testTheAuditPage_showsFiftyNewestFirst_pagesOn_filters_andCutsLongValues() async throws {
        let fixture = try RecordFixture(self)
        let long = String(repeating: "x", count: 60_000)
        for i in 0..<60 {
            try fixture.database.change { _, audit in
                try audit.append(
                    AuditEvent(
                        actor: i == 7 ? "mallory" : "ian", action: .watchlistDiscarded, target: "wl-\(i)",
                        detail: ["reason": i == 59 ? long : "entry \(i)"]), at: RecordFixture.t0 + Double(i))
            }
        }
        let room = try await RouteAccessTests.ControlRoom(fixture)
        let first = try await get(room, "/audit?action=watchlist", as: .auditor)
        XCTAssertEqual(first.status, .ok)
        XCTAssertEqual(first.body.components(separatedBy: "<dt>reason</dt>").count - 1, 50, "fifty a page")
        XCTAssertFalse(first.body.contains(long), "a 60,000-character value is not shown whole")
        XCTAssert(first.body.contains("… (60000 characters in all)"))
        XCTAssertLessThan(
            first.body.range(of: "wl-59")!.lowerBound, first.body.range(of: "wl-58")!.lowerBound, "newest first")
        let older = try XCTUnwrap(
            first.body.range(
                of: #"<a href="/audit\?action=watchlist&amp;before=\d+">Older entries</a>"#, options: .regularExpression
            ))
        let link = String(first.body[older]).replacingOccurrences(of: "&amp;", with: "&")
            .replacingOccurrences(of: #"<a href=""#, with: "").components(separatedBy: "\"")[0]
        let second = try await get(room, link, as: .auditor)
        XCTAssertEqual(second.body.components(separatedBy: "<dt>reason</dt>").count - 1, 10, "the ten oldest")
        XCTAssert(second.body.contains("<dd>entry 0</dd>"))
        let mallory = try await get(room, "/audit?actor=mallory", as: .auditor)
        XCTAssertEqual(mallory.body.components(separatedBy: "<dt>reason</dt>").count - 1, 1)
        XCTAssert(mallory.body.contains("<dd>entry 7</dd>"))
        let target = try await get(room, "/audit?target=wl-3", as: .auditor)
        XCTAssertEqual(target.body.components(separatedBy: "<dt>reason</dt>").count - 1, 1)
        let badDay = try await get(room, "/audit?from=soon", as: .auditor)
        XCTAssertEqual(badDay.status, .badRequest)
    }
}
