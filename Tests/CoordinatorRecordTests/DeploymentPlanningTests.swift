import CoordinatorRecord
import Foundation
import RecordTestSupport
import Shared
import XCTest

/// Planning is one use case for the command line and the control room: the bundle is read, its
/// threshold's expected rates asked for once, and the plan recorded in one transaction.
final class DeploymentPlanningTests: XCTestCase {
    private let details = DeploymentPlanning.Details(
        placeName: "Oxford Circus", latitude: 51.5154, longitude: -0.1419, windowStart: RecordFixture.t0,
        windowEnd: RecordFixture.t0 + 8 * 3600, purpose: "locate people wanted on warrant",
        legalBasis: "common law policing powers", nodes: ["node1"])

    func testAPlan_recordsTheExpectedRatesOfItsBundle_andNamesTheMinorsAwaitingOverride() throws {
        let f = try RecordFixture(self)
        let template = try f.plan("dep-1", subjects: ["s-1", "s-2"], minors: ["s-2"])
        var asked: [(Float, Int)] = []
        let planning = DeploymentPlanning(database: f.database) { bundle in
            asked.append((bundle.threshold, bundle.entries.count))
            return template.expected
        }
        let planned = try planning.plan(
            "dep-1", details, bundle: template.bundle, subjects: template.subjects, by: "intel", at: RecordFixture.t0)
        XCTAssertEqual(asked.map(\.1), [2], "asked once, for the bundle's list of two")
        XCTAssertEqual(asked.map(\.0), [0.9])
        XCTAssertEqual(planned.minorsAwaitingOverride, ["s-2"])
        XCTAssertEqual(planned.bundleValidAfterWindow, RecordFixture.t0 + 30 * 86_400, "valid 30 days, window 8 hours")
        XCTAssert(planned.windowNotice?.contains("ended, and its nodes wipe the list, when the window closes") == true)
        let recorded = try DeploymentStore.show("dep-1", in: f.database)
        XCTAssertEqual(recorded.state, .planned)
        XCTAssertEqual(recorded.expected, template.expected)
        XCTAssertEqual(recorded.placeName, "Oxford Circus")
    }

    func testABundleThatIsNoBundle_isRefusedBeforeTheRatesAreAsked_andNothingIsRecorded() throws {
        let f = try RecordFixture(self)
        let template = try f.plan("dep-1")
        var asked = 0
        let planning = DeploymentPlanning(database: f.database) { _ in
            asked += 1
            return template.expected
        }
        XCTAssertThrowsError(
            try planning.plan(
                "dep-1", details, bundle: Array("not a bundle".utf8), subjects: template.subjects, by: "intel",
                at: RecordFixture.t0)
        ) { XCTAssertEqual(($0 as? DeploymentRefusal)?.code, .bundleUnreadable) }
        XCTAssertEqual(asked, 0)
        XCTAssertEqual(try DeploymentStore.list(in: f.database).count, 0)
    }

    func testRatesThatCannotBeRead_refuseThePlan_andNothingIsRecorded() throws {
        let f = try RecordFixture(self)
        let template = try f.plan("dep-1")
        let planning = DeploymentPlanning(database: f.database) { _ in
            throw DeploymentRefusal(.missingField, "evaluation", "no evaluation report")
        }
        XCTAssertThrowsError(
            try planning.plan(
                "dep-1", details, bundle: template.bundle, subjects: template.subjects, by: "intel",
                at: RecordFixture.t0))
        XCTAssertEqual(try DeploymentStore.list(in: f.database).count, 0)
    }

    func testADraftWithoutABuild_cannotBePlanned() throws {
        let f = try RecordFixture(self)
        let planning = DeploymentPlanning(database: f.database) { _ in
            XCTFail("not asked")
            throw CommandFailure("")
        }
        XCTAssertThrowsError(try planning.plan(draft: "wl-none", details, by: "ian", at: RecordFixture.t0)) {
            XCTAssertEqual(($0 as? WatchlistDraftRefusal)?.code, .noBundleYet)
        }
    }
}

/// An authorised deployment whose window passes without a start is closed on the record, so that
/// it cannot go live late and its list is destroyed on the usual schedule.
final class UnstartedDeploymentTests: XCTestCase {
    func testAnAuthorisedDeployment_neverStarted_isEndedWhenItsWindowCloses_andCannotStartLate() throws {
        let f = try RecordFixture(self)
        try DeploymentStore.create(try f.plan("dep-1"), by: "intel", in: f.database, at: RecordFixture.t0)
        try DeploymentStore.authorise("dep-1", officer: "Supt Ames", in: f.database, at: RecordFixture.t0 + 60)
        let windowEnd = RecordFixture.t0 + 8 * 3600
        XCTAssertEqual(
            try DeploymentStore.nextWindowClose(in: f.database), windowEnd, "an authorised window is watched")
        XCTAssertEqual(try DeploymentStore.endPastWindow(in: f.database, at: windowEnd - 1, actor: "coordinator"), [])
        XCTAssertEqual(
            try DeploymentStore.endPastWindow(in: f.database, at: windowEnd, actor: "coordinator"), ["dep-1"])
        let closed = try DeploymentStore.show("dep-1", in: f.database)
        XCTAssertEqual(closed.state, .ended)
        XCTAssertNil(closed.lifecycle.startedAt, "never live")
        XCTAssertEqual(closed.endedBy, "coordinator (planned window passed without a start)")
        XCTAssertThrowsError(try DeploymentStore.start("dep-1", by: "op", in: f.database, at: windowEnd + 1)) {
            XCTAssertEqual(($0 as? DeploymentTransitionError)?.code, .alreadyEnded)
        }
        let entry = try XCTUnwrap(AuditLog.entries(in: f.database, actionPrefix: "deployment.ended").last)
        XCTAssert(entry.detail.contains("never started"), entry.detail)
        XCTAssertEqual(
            try DeploymentStore.destroyDueBundles(delay: 60, in: f.database, at: windowEnd + 61, actor: "retention"),
            ["dep-1"], "its list goes on the usual schedule")
    }
}
