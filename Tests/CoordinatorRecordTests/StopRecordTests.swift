import CoordinatorRecord
import Foundation
import RecordTestSupport
import XCTest

/// What stage 2 records about a person stopped: optional, only for a stop, kept with the alert,
/// and never in the append-only log.
final class StopRecordTests: XCTestCase {
    private let t0 = RecordFixture.t0

    private func reviewedAlert(_ f: RecordFixture) throws -> (AlertStore, UUID) {
        try f.liveDeployment("dep-1")
        let store = AlertStore(database: f.database)
        let alert = f.alert("dep-1")
        try store.store(alert, from: f.node1, receivedAt: t0 + 300)
        try store.adjudicate(alert.alertID, .review(.match, note: nil), by: "op", at: t0 + 310)
        return (store, alert.alertID)
    }

    func testAStopIsKeptWithTheAlert_butNotInTheAuditLog() throws {
        let f = try RecordFixture(self)
        let (store, id) = try reviewedAlert(f)
        try store.adjudicate(
            id,
            .outcome(
                .notThePerson, action: .noAction, note: nil,
                stop: StopRecord(ethnicity: .bangladeshi, sex: .notStated, minutes: 7)), by: "pc", at: t0 + 400)
        XCTAssertEqual(try store.show(id).stop, StopRecord(ethnicity: .bangladeshi, sex: .notStated, minutes: 7))
        let log = try AuditLog.entries(in: f.database, limit: 1000).map { "\($0.action) \($0.detail)" }.joined()
        XCTAssertFalse(log.contains("A3") || log.contains("not stated"), log)
    }

    func testEveryPartIsOptional() throws {
        let f = try RecordFixture(self)
        let (store, id) = try reviewedAlert(f)
        try store.adjudicate(id, .outcome(.identityVerified, action: .arrest, note: nil), by: "pc", at: t0 + 400)
        XCTAssertEqual(try store.show(id).stop, StopRecord())
    }

    func testAStopRecordWithoutAStop_orOfAnImpossibleLength_isRefusedAndNothingWritten() throws {
        let f = try RecordFixture(self)
        let (store, id) = try reviewedAlert(f)
        for (outcome, stop, code) in [
            (FieldOutcome.notEngaged, StopRecord(sex: .male), AdjudicationError.Code.noStopToRecord),
            (.lostInCrowd, StopRecord(minutes: 3), .noStopToRecord),
            (.identityVerified, StopRecord(minutes: -1), .stopDurationOutOfRange),
            (.identityVerified, StopRecord(minutes: StopRecord.longestMinutes + 1), .stopDurationOutOfRange),
        ] {
            XCTAssertThrowsError(
                try store.adjudicate(id, .outcome(outcome, action: .noAction, note: nil, stop: stop), by: "pc", at: t0)
            ) { XCTAssertEqual(($0 as? AdjudicationError)?.code, code, "\(outcome) \(stop)") }
        }
        XCTAssertNil(try store.show(id).outcome)
        XCTAssertEqual(SelfDefinedEthnicity.allCases.count, 18 + 1, "the 18 census categories and not stated")
    }
}
