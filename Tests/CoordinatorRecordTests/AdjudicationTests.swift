import CoordinatorRecord
import Foundation
import RecordTestSupport
import XCTest

/// Two-stage adjudication: each stage once, timed and attributed; the rules between them; refused
/// steps write nothing.
final class AdjudicationTests: XCTestCase {
    private let t0 = RecordFixture.t0

    private func storedAlert(_ f: RecordFixture) throws -> (AlertStore, UUID) {
        try f.liveDeployment("dep-1")
        let store = AlertStore(database: f.database)
        let alert = f.alert("dep-1")
        XCTAssertTrue(try store.store(alert, from: f.node1, receivedAt: t0 + 200))
        return (store, alert.alertID)
    }

    private func refused(
        _ f: RecordFixture, _ store: AlertStore, _ id: UUID, _ step: AdjudicationStep, by user: String = "op",
        _ expected: AdjudicationError.Code, line: UInt = #line
    ) throws {
        let before = try f.auditCount, record = try store.show(id)
        XCTAssertThrowsError(try store.adjudicate(id, step, by: user, at: t0 + 500), line: line) {
            XCTAssertEqual(($0 as? AdjudicationError)?.code, expected, "\($0)", line: line)
        }
        XCTAssertEqual(try f.auditCount, before, line: line)
        XCTAssertEqual(try store.show(id), record, line: line)
    }

    func testBothStages_areRecordedWithWhoAndWhen_andAudited() throws {
        let f = try RecordFixture(self)
        let (store, id) = try storedAlert(f)
        XCTAssertEqual(try store.list(awaitingAdjudication: true).map(\.id), [id])
        try store.adjudicate(id, .review(.match, note: "same scar"), by: "PC 101", at: t0 + 212)
        try store.adjudicate(id, .outcome(.identityVerified, action: .arrest, note: nil), by: "PC 202", at: t0 + 400)
        let a = try store.show(id)
        XCTAssertEqual([a.review?.rawValue, a.reviewBy, a.reviewNote], ["match", "PC 101", "same scar"])
        XCTAssertEqual(a.reviewAt, t0 + 212)
        XCTAssertEqual(
            [a.outcome?.rawValue, a.action?.rawValue, a.outcomeBy], ["identity verified", "arrest", "PC 202"])
        XCTAssertEqual(a.outcomeAt, t0 + 400)
        XCTAssertEqual(try store.list(awaitingAdjudication: true), [])
        let entries = try AuditLog.entries(in: f.database, actionPrefix: "alert.", limit: 10)
        XCTAssertEqual(entries.map(\.action), ["alert.received", "alert.reviewed", "alert.outcome"])
        XCTAssertEqual(entries[1].actor, "PC 101")
        XCTAssertTrue(entries[1].detail.contains(#""seconds_since_capture":"212.0""#), entries[1].detail)
        XCTAssertFalse(
            entries.contains { $0.detail.contains("same scar") }, "notes stay with the alert, which retention purges")
    }

    func testAnAlertIdThatIsNotAUUID_isADamagedRow_notAMadeUpId() throws {
        let f = try RecordFixture(self)
        let (store, _) = try storedAlert(f)
        try f.tamper("UPDATE alert SET id = 'not-a-uuid'")
        XCTAssertThrowsError(try store.list()) {
            XCTAssertEqual(
                ($0 as? DamagedRow).map { [$0.table, $0.column, $0.value] }, ["alert", "id", "not-a-uuid"], "\($0)")
        }
    }

    /// A review or outcome Watchpost never writes is a damaged row: read as nothing, the alert
    /// would be back on the operator's queue as if nobody had looked at it.
    func testAReviewOrOutcomeNobodyWrote_isADamagedRow_notAnAlertAwaitingReview() throws {
        let f = try RecordFixture(self)
        let (store, _) = try storedAlert(f)
        for (column, word) in [("review", "maybe"), ("outcome", "vanished"), ("outcome_action", "chase")] {
            try f.tamper("UPDATE alert SET \(column) = '\(word)'")
            XCTAssertThrowsError(try store.list()) {
                XCTAssertEqual(($0 as? DamagedRow).map { [$0.table, $0.column, $0.value] }, ["alert", column, word])
            }
            try f.tamper("UPDATE alert SET \(column) = NULL")
        }
        XCTAssertEqual(try store.list().count, 1, "each damage undone, the alert reads")
    }

    func testStageRules_refuseOutOfOrderAndRepeatedSteps() throws {
        let f = try RecordFixture(self)
        let (store, id) = try storedAlert(f)
        try refused(f, store, id, .outcome(.notEngaged, action: .noAction, note: nil), .reviewFirst)
        try refused(f, store, id, .review(.match, note: nil), by: " ", .unattributed)
        try store.adjudicate(id, .review(.noMatch, note: nil), by: "PC 101", at: t0 + 300)
        try refused(f, store, id, .review(.match, note: nil), .alreadyReviewed)
        try refused(f, store, id, .outcome(.identityVerified, action: .arrest, note: nil), .reviewedNoMatch)
        try refused(f, store, id, .unmarkCase(reason: "r"), .notMarked)
        try refused(f, store, id, .markForCase(reference: "", reason: "r"), .caseNeedsReference)
        let before = try f.auditCount
        XCTAssertThrowsError(try store.adjudicate(UUID(), .review(.match, note: nil), by: "op", at: t0)) {
            XCTAssertTrue("\($0)".contains("no alert"))
        }
        XCTAssertEqual(try f.auditCount, before)
    }

    func testOtherAction_needsANote_andACaseMarkingIsRecordedOnce() throws {
        let f = try RecordFixture(self)
        let (store, id) = try storedAlert(f)
        try store.adjudicate(id, .review(.unsure, note: nil), by: "op", at: t0 + 300)
        try refused(f, store, id, .outcome(.notThePerson, action: .other, note: " "), .otherNeedsNote)
        try store.adjudicate(
            id, .outcome(.notThePerson, action: .other, note: "stopped and released"), by: "op", at: t0 + 310)
        try store.adjudicate(id, .markForCase(reference: "CASE-1", reason: "complaint"), by: "sgt", at: t0 + 320)
        try refused(f, store, id, .markForCase(reference: "CASE-2", reason: "x"), .alreadyMarked)
        try store.adjudicate(id, .unmarkCase(reason: "complaint closed"), by: "sgt", at: t0 + 330)
        XCTAssertNil(try store.show(id).caseReference)
    }

    func testAPurgedAlert_takesNoMoreDecisions() throws {
        let f = try RecordFixture(self)
        let (store, id) = try storedAlert(f)
        _ = try Retention.purge(RetentionPolicy(), in: f.database, at: t0 + 32 * 86_400, actor: "retention")
        try refused(f, store, id, .review(.match, note: nil), .purged)
    }
}
