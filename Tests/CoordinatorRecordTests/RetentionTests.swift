import CoordinatorRecord
import Foundation
import RecordTestSupport
import Shared
import TestSupport
import XCTest

/// Retention with a controllable clock: 31 days for alerts, 7 for rejected ones, case-marked ones
/// until unmarked; purged personal data gone from every file in the state folder.
final class RetentionTests: XCTestCase {
    private let t0 = RecordFixture.t0
    private let day: TimeInterval = 86_400

    func testPurge_at31Days_7DaysForRejected_andCaseMarkedKeptUntilUnmarked() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        let store = AlertStore(database: f.database)
        let now = t0 + 100 * day
        var ids: [String: UUID] = [:], crops: [String: [UInt8]] = [:]
        // name: (age in days, review)
        let cases: [(String, Double, ReviewDecision?)] = [
            ("old", 32, .match), ("young", 30, nil), ("rejected8", 8, .noMatch),
            ("rejected6", 6, .noMatch), ("confirmed8", 8, .match), ("case", 40, .match),
        ]
        for (name, age, review) in cases {
            let alert = f.alert("dep-1", capturedAt: now - age * day)
            XCTAssertTrue(try store.store(alert, from: f.node1, receivedAt: now - age * day))
            if let review {
                try store.adjudicate(
                    alert.alertID, .review(review, note: "note \(name)"), by: "op", at: now - age * day + 10)
            }
            ids[name] = alert.alertID
            crops[name] = alert.cropJPEG
        }
        try store.adjudicate(
            ids["case"]!, .markForCase(reference: "C-9", reason: "evidence"), by: "sgt", at: now - 39 * day)

        let result = try Retention.purge(RetentionPolicy(), in: f.database, at: now, actor: "retention")
        XCTAssertEqual(result.alertsPurged, 1, "only 'old' is past 31 days and unmarked")
        XCTAssertEqual(result.rejectedAlertsPurged, 1, "only 'rejected8' is a rejected alert past 7 days")
        XCTAssertEqual(result.keptForCases, 1)
        for name in ["old", "rejected8"] {
            let a = try store.show(ids[name]!)
            XCTAssertNotNil(a.purgedAt, name)
            XCTAssertNil(a.subject, name)
            XCTAssertNil(a.score, name)
            XCTAssertNil(a.reviewNote, name)
            XCTAssertNil(try store.crop(ids[name]!), name)
            XCTAssertNotNil(a.review, "\(name): the decision stays, anonymous, for the reports")
            XCTAssertEqual(
                try CropScan.filesHolding(crops[name]!, in: f.folder), [],
                "\(name)'s crop is in no file of the state folder")
        }
        for name in ["young", "rejected6", "confirmed8", "case"] {
            XCTAssertNil(try store.show(ids[name]!).purgedAt, name)
            XCTAssertNotNil(try store.crop(ids[name]!), name)
        }
        let entry = try XCTUnwrap(AuditLog.entries(in: f.database, actionPrefix: "retention.", limit: 1).first)
        XCTAssertTrue(
            entry.detail.contains(#""alerts_purged":"1""#) && entry.detail.contains(#""kept_for_cases":"1""#),
            entry.detail)

        XCTAssertEqual(
            try Retention.purge(RetentionPolicy(), in: f.database, at: now, actor: "retention"),
            {
                var r = PurgeResult()
                r.keptForCases = 1
                return r
            }(), "a second run finds nothing new")
        try store.adjudicate(ids["case"]!, .unmarkCase(reason: "case closed"), by: "sgt", at: now)
        XCTAssertEqual(
            try Retention.purge(RetentionPolicy(), in: f.database, at: now + 1, actor: "retention").alertsPurged, 1,
            "unmarked, the case alert goes at the next run")
    }

    func testShorterPolicies_fromConfig_areApplied() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        let store = AlertStore(database: f.database)
        let alert = f.alert("dep-1")
        try store.store(alert, from: f.node1, receivedAt: t0)
        var policy = RetentionPolicy()
        policy.alertDays = 2
        XCTAssertEqual(try Retention.purge(policy, in: f.database, at: t0 + 2 * day - 1, actor: "r").alertsPurged, 0)
        XCTAssertEqual(try Retention.purge(policy, in: f.database, at: t0 + 2 * day + 1, actor: "r").alertsPurged, 1)
    }

    func testAPurgedAlert_leavesNeitherSubjectNorScoreInTheAuditLog_andTheChainStillVerifies() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        let store = AlertStore(database: f.database)
        let alert = f.alert("dep-1")
        try store.store(alert, from: f.node1, receivedAt: t0 + 200)
        let entry = try XCTUnwrap(AuditLog.entries(in: f.database, actionPrefix: "alert.received", limit: 1).first)
        let commitment = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(entry.detail.utf8)) as? [String: String])["commitment"]
        XCTAssertFalse(
            entry.detail.contains(alert.subject) || entry.detail.contains("0.7000")
                || entry.target.contains(alert.subject), entry.detail)
        let salt = try XCTUnwrap(try store.commitmentSalt(alert.alertID))
        XCTAssertTrue(
            AlertCommitment.matches(
                try XCTUnwrap(commitment), salt: salt, subject: alert.subject, score: Double(alert.score)),
            "while the alert is kept, its entry can be checked against it")
        XCTAssertFalse(AlertCommitment.matches(commitment!, salt: salt, subject: "s-2", score: Double(alert.score)))

        var policy = RetentionPolicy()
        policy.alertDays = 1
        XCTAssertEqual(
            try Retention.purge(policy, in: f.database, at: t0 + 2 * day, actor: "retention").alertsPurged, 1)
        XCTAssertNil(
            try store.commitmentSalt(alert.alertID),
            "the salt goes with the row: the commitment can no longer be opened")
        let everyEntry = try AuditLog.entries(in: f.database, limit: 10_000).map {
            "\($0.actor) \($0.target) \($0.detail)"
        }.joined(separator: "\n")
        XCTAssertFalse(everyEntry.contains("0.7000"), "no score in the audit log")
        XCTAssertFalse(everyEntry.contains("\"subject\":\"\(alert.subject)\""), "no subject in the audit log")
        XCTAssertEqual(try AuditVerifier.verify(f.database).problem, nil)
    }

    func testAnAlertForADeploymentItsNodeIsNotLiveOn_isRefusedAndAudited_andNothingIsStored() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        try DeploymentStore.create(try f.plan("dep-2"), by: "intel", in: f.database, at: t0)
        let store = AlertStore(database: f.database)
        let cases: [(WireMessage.AlertMessage, EnrolledNode, String)] = [
            (f.alert("dep-9"), f.node1, "no deployment of that id is on the record"),
            (f.alert("dep-1", node: f.node2), f.node2, "the node is not on that deployment"),
            (f.alert("dep-2"), f.node1, "the deployment has not started"),
        ]
        for (alert, node, reason) in cases {
            XCTAssertThrowsError(try store.store(alert, from: node, receivedAt: t0 + 300)) {
                XCTAssertEqual(($0 as? AlertRefusal)?.reason, reason)
            }
        }
        XCTAssertEqual(try store.count, 0)
        XCTAssertEqual(try AuditLog.entries(in: f.database, actionPrefix: "alert.refused", limit: 10).count, 3)
        try DeploymentStore.end("dep-1", by: "sup", in: f.database, at: t0 + 1000)
        XCTAssertThrowsError(
            try store.store(
                f.alert("dep-1", capturedAt: t0 + 1000 + AlertStore.clockSkewAllowance + 1), from: f.node1,
                receivedAt: t0 + 2000))
        XCTAssertTrue(
            try store.store(f.alert("dep-1", capturedAt: t0 + 900), from: f.node1, receivedAt: t0 + 2000),
            "an alert captured while live and delivered after the end is kept")
    }
}
