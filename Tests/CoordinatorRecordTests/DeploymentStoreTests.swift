import Crypto
import Foundation
import RecordTestSupport
import Refusals
import Shared
import XCTest

@testable import CoordinatorRecord

/// Deployments in the database: each step with its audit entry, and every refused request
/// leaving the database as it was.
final class DeploymentStoreTests: XCTestCase {
    private let t0 = RecordFixture.t0

    /// Runs `body`, which must be refused with the qualified code `expected`, and checks nothing was written.
    private func refused(_ f: RecordFixture, _ expected: String, _ body: () throws -> Void, line: UInt = #line) throws {
        let before = try f.auditCount
        let states = try DeploymentStore.list(in: f.database).map(\.state)
        XCTAssertThrowsError(try body(), line: line) {
            XCTAssertEqual(($0 as? any Refusal)?.qualifiedCode, expected, "\($0)", line: line)
        }
        XCTAssertEqual(try f.auditCount, before, "nothing audited", line: line)
        XCTAssertEqual(try DeploymentStore.list(in: f.database).map(\.state), states, "nothing changed", line: line)
    }

    func testLifecycle_isRecordedAndAudited_andAssignsTheListToItsNodesOnly() throws {
        let f = try RecordFixture(self)
        try DeploymentStore.create(try f.plan("dep-1"), by: "intel", in: f.database, at: t0)
        XCTAssertEqual(try DeploymentStore.assignments(in: f.database), [:], "a planned deployment pushes nothing")
        try DeploymentStore.authorise("dep-1", officer: "Supt Ames", in: f.database, at: t0 + 60)
        try DeploymentStore.start("dep-1", by: "op", in: f.database, at: t0 + 120)
        let d = try DeploymentStore.show("dep-1", in: f.database)
        XCTAssertEqual(d.state, .live)
        XCTAssertEqual(d.authorisingOfficer, "Supt Ames")
        XCTAssertEqual(d.listSize, 2)
        XCTAssertEqual(d.signers, [signerKeyID(Array(f.signer.publicKey.rawRepresentation))])
        XCTAssertEqual(d.subjects.map(\.subjectID), ["s-1", "s-2"])
        guard case .watchlist("dep-1", let bundle, 1)? = try DeploymentStore.assignments(in: f.database)["node1"] else {
            return XCTFail("node1 serves dep-1")
        }
        XCTAssertEqual(
            SHA256.hash(data: bundle).map { String(format: "%02x", $0) }.joined(), d.bundleSHA256,
            "the recorded list is the one pushed")
        XCTAssertNil(try DeploymentStore.assignments(in: f.database)["node2"])
        try DeploymentStore.end("dep-1", by: "op", in: f.database, at: t0 + 600)
        XCTAssertEqual(try DeploymentStore.assignments(in: f.database)["node1"], .ended(deploymentID: "dep-1"))
        XCTAssertEqual(
            try f.auditActions().suffix(5),
            [
                "deployment.created", "bundle.attached", "deployment.authorised", "deployment.started",
                "deployment.ended",
            ])
    }

    /// A live deployment ends when its planned window closes, whether or not anybody ends it, and
    /// its nodes are then assigned the end (the wipe); one ended by hand is left as it was.
    func testLiveDeployments_endWhenTheirWindowCloses_andTheirNodesAreToldToWipe() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        try f.liveDeployment("dep-2", nodes: ["node2"])
        try DeploymentStore.create(try f.plan("dep-3", nodes: ["node1"]), by: "intel", in: f.database, at: t0)
        let close = t0 + 8 * 3600
        XCTAssertEqual(try DeploymentStore.nextWindowClose(in: f.database), close)
        XCTAssertEqual(try DeploymentStore.endPastWindow(in: f.database, at: close - 1, actor: "coordinator"), [])
        XCTAssertEqual(try DeploymentStore.show("dep-1", in: f.database).state, .live)

        try DeploymentStore.end("dep-2", by: "op", in: f.database, at: close - 1)
        let audited = try f.auditCount
        XCTAssertEqual(try DeploymentStore.endPastWindow(in: f.database, at: close, actor: "coordinator"), ["dep-1"])
        let d = try DeploymentStore.show("dep-1", in: f.database)
        XCTAssertEqual(d.state, .ended)
        XCTAssertEqual(d.lifecycle.endedAt, close)
        XCTAssertEqual(d.endedBy, "coordinator (planned window closed)")
        XCTAssertEqual(
            try DeploymentStore.show("dep-2", in: f.database).endedBy, "op", "ended by hand before the close")
        XCTAssertEqual(try DeploymentStore.show("dep-3", in: f.database).state, .planned, "only live deployments end")
        XCTAssertEqual(try f.auditCount, audited + 1)
        let entry = try XCTUnwrap(AuditLog.entries(in: f.database, limit: 1).first)
        XCTAssertEqual([entry.action, entry.actor, entry.target], ["deployment.ended", "coordinator", "dep-1"])
        XCTAssert(entry.detail.contains(#""reason":"planned window closed at 2027-01-15T16:00:00Z""#), entry.detail)
        XCTAssertEqual(try DeploymentStore.assignments(in: f.database)["node1"], .ended(deploymentID: "dep-1"))
        XCTAssertNil(try DeploymentStore.nextWindowClose(in: f.database), "nothing is live any more")
        XCTAssertEqual(
            try DeploymentStore.endPastWindow(in: f.database, at: close + 60, actor: "coordinator"), [], "ended once")
    }

    /// How the list was made (enrolment, cohort) is recorded from the bundle at planning, audited,
    /// kept after the bundle is destroyed, and carried into the transparency report.
    func testHowTheListWasMade_isRecordedFromTheBundle_andOutlivesIt() throws {
        let f = try RecordFixture(self)
        try DeploymentStore.create(try f.plan("dep-1", fusedWithCentroids: 5), by: "intel", in: f.database, at: t0)
        try DeploymentStore.create(try f.plan("dep-2"), by: "intel", in: f.database, at: t0)
        let attached = try AuditLog.entries(in: f.database, actionPrefix: "bundle.attached").map(\.detail)
        XCTAssert(
            attached[0].contains(#""cohort":"2 centroids of 5 people each""#)
                && attached[0].contains(#""enrolment":"several photos per subject, fused into one template""#),
            attached[0])
        XCTAssert(
            attached[1].contains(#""cohort":"none: the list is its own cohort""#)
                && attached[1].contains(#""enrolment":"one photo per subject""#), attached[1])
        try DeploymentStore.authorise("dep-1", officer: "Supt Ames", in: f.database, at: t0 + 60)
        try DeploymentStore.start("dep-1", by: "op", in: f.database, at: t0 + 120)
        try DeploymentStore.end("dep-1", by: "op", in: f.database, at: t0 + 600)
        XCTAssertEqual(
            try DeploymentStore.destroyDueBundles(delay: 0, in: f.database, at: t0 + 600, actor: "retention"), ["dep-1"]
        )
        let d = try DeploymentStore.show("dep-1", in: f.database)
        XCTAssertFalse(d.holdsBundle)
        XCTAssertEqual(d.enrolment, "several photos per subject, fused into one template")
        XCTAssertEqual(d.cohort, "2 centroids of 5 people each")
        let section = try XCTUnwrap(
            TransparencyReport.make(deployment: "dep-1", in: f.database, at: t0 + 700).deployments.first)
        XCTAssertEqual(
            [section.enrolment, section.cohort],
            ["several photos per subject, fused into one template", "2 centroids of 5 people each"])
        try f.tamper("UPDATE deployment SET enrolment = NULL, cohort = NULL WHERE id = 'dep-2'")
        XCTAssertNil(
            try DeploymentStore.show("dep-2", in: f.database).enrolment,
            "a deployment planned before this was recorded says so")
    }

    func testBundle_isDestroyedAfterTheDelay_keepingWhoWasOnTheList() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        try DeploymentStore.end("dep-1", by: "op", in: f.database, at: t0 + 600)
        XCTAssertEqual(
            try DeploymentStore.destroyDueBundles(
                delay: 86_400, in: f.database, at: t0 + 600 + 86_399, actor: "retention"), [])
        XCTAssertTrue(try DeploymentStore.show("dep-1", in: f.database).holdsBundle)
        XCTAssertEqual(
            try DeploymentStore.referencePhoto(deployment: "dep-1", subject: "s-1", in: f.database),
            [0xFF, 0xD8, 0xFF, 1, 2, 3])
        XCTAssertEqual(
            try DeploymentStore.destroyDueBundles(
                delay: 86_400, in: f.database, at: t0 + 600 + 86_400, actor: "retention"), ["dep-1"])
        let d = try DeploymentStore.show("dep-1", in: f.database)
        XCTAssertEqual(d.state, .watchlistDestroyed)
        XCTAssertFalse(d.holdsBundle)
        XCTAssertEqual(d.subjects.map(\.subjectID), ["s-1", "s-2"], "who was on the list stays")
        XCTAssertNil(
            try DeploymentStore.referencePhoto(deployment: "dep-1", subject: "s-1", in: f.database),
            "their photos go with the bundle")
        XCTAssertEqual(d.bundleSHA256.count, 64)
        XCTAssertFalse(d.signers.isEmpty)
        XCTAssertNil(
            try f.database.read { try Data.fetchOne($0, sql: "SELECT bundle FROM deployment WHERE id = 'dep-1'") })
        XCTAssertEqual(try f.auditActions().last, "bundle.destroyed")
    }

    func testUnder18_needsASupervisorsOverride_beforeAuthorisation() throws {
        let f = try RecordFixture(self)
        try DeploymentStore.create(try f.plan("dep-1", minors: ["s-2"]), by: "intel", in: f.database, at: t0)
        try refused(f, "deployment.minorsWithoutOverride") {
            try DeploymentStore.authorise("dep-1", officer: "A", in: f.database, at: t0)
        }
        try refused(f, "deployment.overrideWithoutReason") {
            try DeploymentStore.allowMinor(
                deployment: "dep-1", subject: "s-2", reason: " ", by: "Sgt B", in: f.database, at: t0)
        }
        try refused(f, "deployment.subjectNotMinor") {
            try DeploymentStore.allowMinor(
                deployment: "dep-1", subject: "s-1", reason: "r", by: "Sgt B", in: f.database, at: t0)
        }
        try DeploymentStore.allowMinor(
            deployment: "dep-1", subject: "s-2", reason: "missing, at risk", by: "Sgt B", in: f.database, at: t0)
        try DeploymentStore.authorise("dep-1", officer: "A", in: f.database, at: t0)
        let s2 = try DeploymentStore.show("dep-1", in: f.database).subjects[1]
        XCTAssertEqual([s2.overrideBy, s2.overrideReason], ["Sgt B", "missing, at risk"])
    }

    func testBadRequests_areClearErrors_andWriteNothing() throws {
        let f = try RecordFixture(self)
        try refused(f, "deployment.notFound") {
            try DeploymentStore.authorise("dep-x", officer: "A", in: f.database, at: t0)
        }
        try refused(f, "deployment.bundleForAnotherDeployment") {
            try DeploymentStore.create(try f.plan("dep-1", bundleFor: "other"), by: "i", in: f.database, at: t0)
        }
        try refused(f, "deployment.nodeNotEnrolled") {
            try DeploymentStore.create(try f.plan("dep-1", nodes: ["node9"]), by: "i", in: f.database, at: t0)
        }
        var unsigned = try f.plan("dep-1")
        unsigned.bundle = try f.signedBundle(deployment: "dep-1", subjects: ["s-1"], signed: false)
        try refused(f, "deployment.bundleUnsigned") {
            try DeploymentStore.create(unsigned, by: "i", in: f.database, at: t0)
        }
        var altered = try f.plan("dep-1")
        altered.bundle[40] ^= 1
        try refused(f, "deployment.bundleSignatureInvalid") {
            try DeploymentStore.create(altered, by: "i", in: f.database, at: t0)
        }
        var missing = try f.plan("dep-1")
        missing.subjects.removeLast()
        try refused(f, "deployment.subjectNotInManifest") {
            try DeploymentStore.create(missing, by: "i", in: f.database, at: t0)
        }
        var nowhere = try f.plan("dep-1")
        nowhere.latitude = 91
        try refused(f, "deployment.invalidPlace") {
            try DeploymentStore.create(nowhere, by: "i", in: f.database, at: t0)
        }
        var bad = try f.plan("dep 1")
        bad.bundle = try f.signedBundle(deployment: "dep 1", subjects: ["s-1"])
        try refused(f, "deployment.invalidID") { try DeploymentStore.create(bad, by: "i", in: f.database, at: t0) }

        try DeploymentStore.create(try f.plan("dep-1"), by: "intel", in: f.database, at: t0)
        try refused(f, "deployment.exists") {
            try DeploymentStore.create(try f.plan("dep-1"), by: "i", in: f.database, at: t0)
        }
        try refused(f, "deployment.stillPlanned") {
            try DeploymentStore.start("dep-1", by: "op", in: f.database, at: t0)
        }
        try DeploymentStore.authorise("dep-1", officer: "A", in: f.database, at: t0)
        try DeploymentStore.start("dep-1", by: "op", in: f.database, at: t0 + 1)
        try refused(f, "deployment.alreadyLive") {
            try DeploymentStore.start("dep-1", by: "op", in: f.database, at: t0 + 2)
        }
    }

    func testANodeServesOneLiveDeploymentAtATime() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        try DeploymentStore.create(try f.plan("dep-2", nodes: ["node1", "node2"]), by: "intel", in: f.database, at: t0)
        try DeploymentStore.authorise("dep-2", officer: "A", in: f.database, at: t0)
        try refused(f, "deployment.nodeBusy") {
            try DeploymentStore.start("dep-2", by: "op", in: f.database, at: t0 + 200)
        }
    }
}
