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
