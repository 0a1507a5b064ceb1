import Foundation
import GRDB
import RecordTestSupport
import XCTest

@testable import CoordinatorRecord

/// The tallies the reports read (kept by triggers) always equal a count of the alerts themselves,
/// and the report's other reads of the alert table use their indexes alone.
final class AlertTallyTests: XCTestCase {
    private let t0 = RecordFixture.t0

    private func tallied(_ f: RecordFixture) throws -> [String: Int] {
        try f.database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT deployment_id || '|' || review || '|' || outcome || '|' || outcome_action AS k, alerts
                    FROM alert_tally WHERE alerts <> 0
                    """)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["k"], $0["alerts"]) })
        }
    }

    private func counted(_ f: RecordFixture) throws -> [String: Int] {
        try f.database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT deployment_id || '|' || COALESCE(review, '') || '|' || COALESCE(outcome, '') || '|'
                        || COALESCE(outcome_action, '') AS k, COUNT(*) AS alerts FROM alert GROUP BY k
                    """)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["k"], $0["alerts"]) })
        }
    }

    func testTheTally_followsEveryAlertStoredResentDecidedAndPurged() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        let store = AlertStore(database: f.database)
        var ids: [UUID] = []
        for i in 0..<12 {
            let alert = f.alert("dep-1")
            try store.store(alert, from: f.node1, receivedAt: t0 + 300)
            if i % 4 == 0 { try store.store(alert, from: f.node1, receivedAt: t0 + 301) }  // a resend
            ids.append(alert.alertID)
        }
        XCTAssertEqual(try tallied(f), ["dep-1|||": 12], "a resend is stored once and counted once")
        for (i, id) in ids.enumerated() {
            let review: ReviewDecision = [.match, .noMatch, .unsure][i % 3]
            try store.adjudicate(id, .review(review, note: nil), by: "op", at: t0 + 310)
            if review != .noMatch, i % 2 == 0 {
                try store.adjudicate(id, .outcome(.notEngaged, action: .noAction, note: nil), by: "pc", at: t0 + 400)
            }
        }
        XCTAssertEqual(try tallied(f), try counted(f))
        XCTAssertEqual(try tallied(f).values.reduce(0, +), 12)
        let purged = try Retention.purge(RetentionPolicy(), in: f.database, at: t0 + 90 * 86_400, actor: "retention")
        XCTAssertGreaterThan(purged.alertsPurged, 0)
        XCTAssertEqual(try tallied(f), try counted(f), "a purge keeps the decisions, so the counts stand")

        // What /metrics reports, from the tallies: 12 alerts, each review four times, and the
        // outcome of the even-numbered matches and unsures.
        let counts = try RecordCounts.current(in: f.database, at: t0 + 90 * 86_400)
        XCTAssertEqual(counts.alerts, 12)
        XCTAssertEqual(counts.reviews, ["match": 4, "no match": 4, "unsure": 4])
        XCTAssertEqual(counts.outcomes, ["not engaged": 4])
        XCTAssertEqual([counts.nodesEnrolled, counts.nodesOnline, counts.liveDeployments], [2, 0, 1])
    }

    func testTheReportsReadsOfTheAlertTable_useTheirIndexesAlone() throws {
        let f = try RecordFixture(self)
        let plans = try f.database.read { db in
            let scope = "SELECT id FROM deployment"
            return try [EqualityFigures.stopsSQL(scope: scope), TransparencyReport.decisionTimesSQL(scope: scope)].map {
                sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(
                    separator: "; ")
            }
        }
        XCTAssert(plans[0].contains("COVERING INDEX alert_stops"), plans[0])
        XCTAssert(plans[1].contains("COVERING INDEX alert_decision_times"), plans[1])
    }
}
