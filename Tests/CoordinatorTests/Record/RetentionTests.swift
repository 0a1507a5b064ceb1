import CoordinatorRecord
import Foundation
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
        let cases: [(String, Double, ReviewDecision?)] = [("old", 32, .match), ("young", 30, nil), ("rejected8", 8, .noMatch),
                                                          ("rejected6", 6, .noMatch), ("confirmed8", 8, .match), ("case", 40, .match)]
        for (name, age, review) in cases {
            let alert = f.alert("dep-1", capturedAt: now - age * day)
            XCTAssertTrue(try store.store(alert, from: f.node1, receivedAt: now - age * day))
            if let review { try store.adjudicate(alert.alertID, .review(review, note: "note \(name)"), by: "op", at: now - age * day + 10) }
            ids[name] = alert.alertID
            crops[name] = alert.cropJPEG
        }
        try store.adjudicate(ids["case"]!, .markForCase(reference: "C-9", reason: "evidence"), by: "sgt", at: now - 39 * day)

        let result = try Retention.purge(RetentionPolicy(), in: f.database, at: now, actor: "retention")
        XCTAssertEqual(result.alertsPurged, 1, "only 'old' is past 31 days and unmarked")
        XCTAssertEqual(result.rejectedAlertsPurged, 1, "only 'rejected8' is a rejected alert past 7 days")
        XCTAssertEqual(result.keptForCases, 1)
        for name in ["old", "rejected8"] {
            let a = try store.show(ids[name]!)
            XCTAssertNotNil(a.purgedAt, name)
            XCTAssertNil(a.subject, name); XCTAssertNil(a.score, name); XCTAssertNil(a.reviewNote, name)
            XCTAssertNil(try store.crop(ids[name]!), name)
            XCTAssertNotNil(a.review, "\(name): the decision stays, anonymous, for the reports")
            XCTAssertEqual(try CropScan.filesHolding(crops[name]!, in: f.folder), [], "\(name)'s crop is in no file of the state folder")
        }
        for name in ["young", "rejected6", "confirmed8", "case"] {
            XCTAssertNil(try store.show(ids[name]!).purgedAt, name)
            XCTAssertNotNil(try store.crop(ids[name]!), name)
        }
        let entry = try XCTUnwrap(AuditLog.entries(in: f.database, actionPrefix: "retention.", limit: 1).first)
        XCTAssertTrue(entry.detail.contains(#""alerts_purged":"1""#) && entry.detail.contains(#""kept_for_cases":"1""#), entry.detail)

        XCTAssertEqual(try Retention.purge(RetentionPolicy(), in: f.database, at: now, actor: "retention"), {
            var r = PurgeResult(); r.keptForCases = 1; return r }(), "a second run finds nothing new")
        try store.adjudicate(ids["case"]!, .unmarkCase(reason: "case closed"), by: "sgt", at: now)
        XCTAssertEqual(try Retention.purge(RetentionPolicy(), in: f.database, at: now + 1, actor: "retention").alertsPurged, 1,
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
}
