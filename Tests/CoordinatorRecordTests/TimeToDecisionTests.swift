import CoordinatorRecord
import Foundation
import RecordTestSupport
import XCTest

/// How long decisions took, counted by hand: the median and 90th percentile are the values at
/// ranks ⌈n/2⌉ and ⌈0.9n⌉ of the sorted times, and the report gives them per deployment and in total.
final class TimeToDecisionTests: XCTestCase {
    func testMedianAndP90_areTheValuesAtTheirNearestRanks() throws {
        let ten = try XCTUnwrap(TimeToDecision(seconds: [3, 1, 2, 10, 4, 5, 6, 7, 8, 9]))
        XCTAssertEqual([ten.decisions], [10])
        XCTAssertEqual(ten.medianSeconds, 5, "rank 5 of 1...10")
        XCTAssertEqual(ten.p90Seconds, 9, "rank 9 of 1...10")
        let three = try XCTUnwrap(TimeToDecision(seconds: [40, 10, 20]))
        XCTAssertEqual(three.medianSeconds, 20, "rank 2 of 3")
        XCTAssertEqual(three.p90Seconds, 40, "rank 3 of 3")
        XCTAssertEqual(TimeToDecision(seconds: [7])?.p90Seconds, 7)
        XCTAssertNil(TimeToDecision(seconds: []))
    }

    func testTheReport_givesTimeFromCaptureToReviewAndToOutcome() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        let store = AlertStore(database: f.database)
        let captured = RecordFixture.t0 + 1000
        for (i, after) in [10.0, 40, 20].enumerated() {
            let alert = f.alert("dep-1", capturedAt: captured)
            try store.store(alert, from: f.node1, receivedAt: captured + 1)
            try store.adjudicate(alert.alertID, .review(.match, note: nil), by: "op", at: captured + after)
            if i == 0 {
                try store.adjudicate(
                    alert.alertID, .outcome(.identityVerified, action: .advice, note: nil), by: "officer",
                    at: captured + 100)
            }
        }
        try store.store(f.alert("dep-1", capturedAt: captured), from: f.node1, receivedAt: captured + 1)
        let report = try TransparencyReport.make(deployment: "dep-1", in: f.database, at: captured + 200)
        let review = try XCTUnwrap(report.totals.timeToReview)
        XCTAssertEqual(review.decisions, 3, "the alert not yet reviewed counts in neither")
        XCTAssertEqual(review.medianSeconds, 20)
        XCTAssertEqual(review.p90Seconds, 40)
        XCTAssertEqual(report.totals.timeToOutcome, TimeToDecision(seconds: [100]))
        XCTAssertEqual(report.deployments[0].figures.timeToReview, review)
        let html = try report.rendered(as: .html)
        XCTAssert(html.contains("median 20.0 s, 90th percentile 40.0 s (3 decisions)"), html)
        let csv = try report.rendered(as: .csv).split(separator: "\n")
        XCTAssert(csv[0].hasSuffix("review_median_s,review_p90_s,outcome_median_s,outcome_p90_s"))
        XCTAssert(csv[1].hasSuffix("20.000,40.000,100.000,100.000"), "\(csv[1])")
    }
}
