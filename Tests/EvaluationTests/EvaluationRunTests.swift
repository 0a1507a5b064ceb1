import Foundation
import TestSupport
import VisionTestSupport
import XCTest

@testable import Evaluation

/// The evaluation use case as a library: settings are refused before any model loads, and a run
/// counts searches, failures and the images it measured as the protocol says.
final class EvaluationRunTests: XCTestCase {
    func testSettingsThatCannotMakeAnEvaluation_areRefusedNamingTheFlag() {
        func refusal(_ change: (inout EvaluationRun.Settings) -> Void) -> String? {
            var settings = EvaluationRun.Settings(dataset: "/data")
            change(&settings)
            return settings.refusal
        }
        XCTAssertNil(refusal { _ in })
        XCTAssertEqual(refusal { $0.enrolFraction = 0 }, "--enrol-fraction must be in (0, 1]")
        XCTAssertEqual(refusal { $0.matedCap = 0 }, "--mated-cap must be at least 1")
        XCTAssertEqual(refusal { $0.listSizes = [10, 0] }, "--list-sizes must be whole numbers >= 1")
        XCTAssertEqual(refusal { $0.thresholds = [0.5, 2.5] }, "--thresholds must be numbers between 0 and 2")
        XCTAssertEqual(
            refusal {
                $0.enrolmentStudy = true
                $0.scoring = .dlib
            }, "--enrolment-study measures the product's rule: use it with --scoring fused")
        XCTAssertEqual(
            refusal {
                $0.cohortCentroids = 5
                $0.cohort = .watchlist
            }, "--cohort-centroids needs --scoring fused --cohort two-fold")
        XCTAssertNotNil(refusal { $0.cohortCentroids = 1 }, "a centroid of one person is that person's face")
        XCTAssertNotNil(refusal { $0.fixedThreshold = 0 })
    }

    /// Barack: three photos (one enrolled, two mated searches) and a file that is no image (a
    /// failed search); Joe: one photo (a non-mated search and the cohort).
    func testATinyDataset_countsSearchesAndFailures_andReportsEveryImageMeasured() throws {
        let root = try Fixtures.temporaryFolder(self) + "/data"
        let fm = FileManager.default
        for (identity, photos) in [("Barack", ["obama.jpg", "obama2.jpg", "obama3.jpg"]), ("Joe", ["biden.jpg"])] {
            try fm.createDirectory(atPath: "\(root)/\(identity)", withIntermediateDirectories: true)
            for p in photos { try fm.copyItem(atPath: try Fixtures.photo(p), toPath: "\(root)/\(identity)/\(p)") }
        }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: "\(root)/Barack/zz-broken.jpg"))
        var settings = EvaluationRun.Settings(dataset: root)
        settings.listSizes = [1]
        settings.fixedThreshold = 0.6
        var told: [(Int, Int)] = []
        let outcome = try EvaluationRun(settings: settings, models: Fixtures.models).run { told.append(($0, $1)) }
        let report = outcome.report
        XCTAssertEqual(told.map(\.0), [1, 2, 3, 4, 5], "told after each of the five images")
        XCTAssertEqual(Set(told.map(\.1)), [5])
        XCTAssertEqual(report.identitiesEnrolled, 1)
        XCTAssertEqual(report.mated, 3, "the broken file is a mated search that found no face")
        XCTAssertEqual(report.nonMated, 1)
        XCTAssertEqual(report.detectionFailures.mated, 1)
        XCTAssertEqual(report.detectionFailures.total, 1)
        XCTAssertEqual(report.detectionFailures.rate, 0.2, accuracy: 1e-9)
        XCTAssertEqual(report.cohort, "two-fold")
        XCTAssertEqual(report.fixedThreshold?.fpir, 0, "Biden is not Obama")
        XCTAssert(outcome.detCSV.hasPrefix("threshold,fpir,fnir\n"))
        XCTAssert(outcome.detSVG.contains("<svg"))
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: try outcome.json())
        XCTAssertEqual(decoded.mated, report.mated)
    }
}
