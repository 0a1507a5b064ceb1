import Foundation
import FuzzSupport
import TestSupport
import XCTest

@testable import Evaluation

/// Evaluation reports are files a user gives (`--evaluation`, `watchlists.evaluation`): random and
/// mutated ones, for a fixed count, are taken or refused naming the file; none crashes.
final class EvaluationReportFuzzTests: XCTestCase {
    func testMutatedEvaluationReports_areTakenOrRefusedNamingTheFile() throws {
        let sample = Array(try JSONEncoder().encode(ExpectedRatesTests.sampleReport()))
        let path = try Fixtures.temporaryFolder(self) + "/evaluation.json"
        let outcome = FileParserFuzz.run(samples: [sample], count: 2000, path: path) { path in
            _ = try ExpectedRates(reportPath: path, threshold: 0.60, listSize: 40, cohort: .watchlist)
        }
        XCTAssertEqual(outcome.refusalsNotNamingTheFile, [])
        XCTAssertGreaterThan(outcome.refused, 0)
        XCTAssertGreaterThan(outcome.taken, 0, "some mutants still parse: the fuzz reaches past the first check")
    }
}
