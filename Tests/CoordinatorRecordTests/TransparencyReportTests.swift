import CoordinatorRecord
import Foundation
import RecordTestSupport
import Shared
import XCTest

/// The report's figures are what the record holds: counted here by hand from what the test did.
final class TransparencyReportTests: XCTestCase {
    private let t0 = RecordFixture.t0

    private func beat(faces: UInt64, dropped: UInt64 = 0, rejections: [String: UInt64] = [:]) -> WireMessage.Heartbeat {
        .init(
            uptimeSeconds: 1, framesPerSecond: 10, facesSeen: faces, framesDropped: dropped, watchlistVersion: 1,
            qualityRejections: rejections)
    }

    /// 10 alerts: 4 confirmed (3 verified, 1 lost in crowd), 3 rejected, 2 unsure (1 not the person, 1 not engaged), 1 unreviewed.
    private func deploymentWithOutcomes(_ f: RecordFixture) throws {
        try f.liveDeployment("dep-1")
        let store = AlertStore(database: f.database)
        let plan: [(ReviewDecision?, FieldOutcome?, FieldAction)] = [
            (.match, .identityVerified, .arrest), (.match, .identityVerified, .arrest),
            (.match, .identityVerified, .advice),
            (.match, .lostInCrowd, .noAction), (.noMatch, nil, .noAction), (.noMatch, nil, .noAction),
            (.noMatch, nil, .noAction),
            (.unsure, .notThePerson, .advice), (.unsure, .notEngaged, .noAction), (nil, nil, .noAction),
        ]
        for (review, outcome, action) in plan {
            let alert = f.alert("dep-1")
            try store.store(alert, from: f.node1, receivedAt: t0 + 300)
            if let review { try store.adjudicate(alert.alertID, .review(review, note: nil), by: "op", at: t0 + 310) }
            if let outcome {
                try store.adjudicate(
                    alert.alertID, .outcome(outcome, action: action, note: nil), by: "pc", at: t0 + 400)
            }
        }
        // Heartbeats: totals since the node started; a restart (lower total) counts from zero again.
        try NodeRegistry.recordHeartbeat(
            beat(faces: 1000), from: "node1", deploymentID: nil, in: f.database, at: t0 + 100)
        try NodeRegistry.recordHeartbeat(
            beat(faces: 3000, rejections: ["too_small": 40]), from: "node1", deploymentID: "dep-1", in: f.database,
            at: t0 + 200)
        try NodeRegistry.recordHeartbeat(
            beat(faces: 500, rejections: ["too_small": 5]), from: "node1", deploymentID: "dep-1", in: f.database,
            at: t0 + 300)
    }

    func testDeploymentReport_countsWhatHappened_andSetsObservedBesideExpected() throws {
        let f = try RecordFixture(self)
        try deploymentWithOutcomes(f)
        let report = try TransparencyReport.make(deployment: "dep-1", in: f.database, at: t0 + 1000)
        let r = report.totals
        XCTAssertEqual(r.facesSeen, 2000 + 500, "faces before the deployment went live are not its faces")
        XCTAssertEqual(
            [r.alerts, r.reviewed, r.operatorConfirmed, r.operatorRejected, r.operatorUnsure], [10, 9, 4, 3, 2])
        XCTAssertEqual(
            [r.verifiedByEngagement, r.notThePerson, r.notEngaged, r.lostInCrowd, r.falseAlerts], [3, 1, 1, 1, 4])
        XCTAssertEqual(r.actions, ["arrest": 2, "advice": 2, "no action": 2])
        XCTAssertEqual(r.operatorPrecision!, 4.0 / 9, accuracy: 1e-9)
        XCTAssertEqual(r.fieldPrecision!, 3.0 / 4, accuracy: 1e-9)
        XCTAssertEqual(r.falseAlertsPerThousandFaces!, 4 * 1000 / 2500.0, accuracy: 1e-9)
        XCTAssertEqual(r.expectedFalseAlerts, 2.5, accuracy: 1e-9, "2,500 faces at FPIR 0.001")
        // Poisson(1.25): P(X=0) = 0.29 >= 2.5%; Poisson(5): P(X<=9) = 0.968, P(X<=10) = 0.986.
        XCTAssertEqual(r.expectedFalseAlertRange, [0, 10], "2.5% quantile at FPIR 0.0005, 97.5% at 0.002")
        XCTAssertFalse(r.observedExceedsExpected)
        let counts = try f.database.read {
            try String.fetchOne(
                $0, sql: "SELECT quality_rejections FROM node_deployment_counts WHERE deployment_id = 'dep-1'")
        }
        XCTAssertEqual(counts, #"{"too_small":"45"}"#)
    }

    func testObservedAboveTheRange_isFlaggedFirstOnThePage() throws {
        let f = try RecordFixture(self)
        try DeploymentStore.create(try f.plan("dep-1", fpir: 0.0001), by: "intel", in: f.database, at: t0)
        try DeploymentStore.authorise("dep-1", officer: "A", in: f.database, at: t0)
        try DeploymentStore.start("dep-1", by: "op", in: f.database, at: t0)
        let store = AlertStore(database: f.database)
        for _ in 0..<5 {
            let alert = f.alert("dep-1")
            try store.store(alert, from: f.node1, receivedAt: t0 + 10)
            try store.adjudicate(alert.alertID, .review(.noMatch, note: nil), by: "op", at: t0 + 20)
        }
        try NodeRegistry.recordHeartbeat(
            beat(faces: 1000), from: "node1", deploymentID: "dep-1", in: f.database, at: t0 + 30)
        let report = try TransparencyReport.make(deployment: "dep-1", in: f.database, at: t0 + 100)
        XCTAssertTrue(report.totals.observedExceedsExpected, "5 false alerts where 0.1 were expected")
        let html = try report.rendered(as: .html)
        let flag = try XCTUnwrap(html.range(of: "EXCEED"))
        XCTAssertLessThan(
            flag.lowerBound, try XCTUnwrap(html.range(of: "<h2>Summary")).lowerBound, "the comparison comes first")
        XCTAssertTrue(html.contains("Oxford Circus &lt;north exit&gt;"), "place names are escaped")
        XCTAssertFalse(html.contains("<north exit>"))
        XCTAssertTrue(html.contains("<svg"))
        XCTAssertFalse(html.contains("<script"), "self-contained, no scripts")
    }

    func testFormats_andPeriodReports_andExportIsAudited() throws {
        let f = try RecordFixture(self)
        try deploymentWithOutcomes(f)
        let period = try TransparencyReport.make(from: t0 - 86_400, to: t0 + 86_400, in: f.database, at: t0 + 1000)
        XCTAssertEqual(period.deployments.map(\.id), ["dep-1"])
        XCTAssertEqual(
            try TransparencyReport.make(from: t0 + 86_400, to: t0 + 2 * 86_400, in: f.database, at: t0).deployments, [])
        let json = try JSONSerialization.jsonObject(with: Data(try period.rendered(as: .json).utf8)) as! [String: Any]
        let totals = json["totals"] as! [String: Any]
        XCTAssertEqual(totals["false_alerts"] as? Int, 4)
        XCTAssertEqual(totals["observed_exceeds_expected"] as? Bool, false)
        let deployment = try XCTUnwrap((json["deployments"] as? [[String: Any]])?.first)
        XCTAssertEqual(deployment["enrolment"] as? String, "one photo per subject")
        XCTAssertEqual(deployment["cohort"] as? String, "none: the list is its own cohort")
        let csv = try period.rendered(as: .csv).split(separator: "\n")
        XCTAssertEqual(csv.count, 3, "header, dep-1, total")
        XCTAssertTrue(csv[0].contains("list_size,enrolment,cohort,threshold"), String(csv[0]))
        XCTAssertTrue(csv[1].hasPrefix("dep-1,Oxford Circus <north exit>,51.5154,"), String(csv[1]))
        XCTAssertTrue(
            csv[1].contains(",2,one photo per subject,none: the list is its own cohort,0.900,"), String(csv[1]))
        XCTAssertTrue(
            try period.rendered(as: .html).contains("one photo per subject<br>cohort: none: the list is its own cohort")
        )
        let before = try f.auditCount
        _ = try ReportExport.export(period, as: .csv, to: nil, by: "auditor", in: f.database, at: t0 + 1000)
        XCTAssertEqual(try f.auditCount, before + 1)
        XCTAssertEqual(try f.auditActions().last, "report.exported")
        XCTAssertThrowsError(try TransparencyReport.make(deployment: "nope", in: f.database, at: t0)) {
            XCTAssertTrue("\($0)".contains("no deployment nope"))
        }
    }
}
