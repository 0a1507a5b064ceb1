import Shared
import XCTest

@testable import Evaluation

/// Hand-computed cases.
final class IdentificationMetricsTests: XCTestCase {
    // Mated: 0.2 mate, 0.4 mate, 0.3 wrong subject, no face.  Non-mated: 0.25, 0.5, 0.6, 0.7, no face.
    private let metrics = IdentificationMetrics(
        mated: [
            MatedSearch(distance: 0.2, nearestIsMate: true), MatedSearch(distance: 0.4, nearestIsMate: true),
            MatedSearch(distance: 0.3, nearestIsMate: false), MatedSearch(distance: nil, nearestIsMate: false),
        ],
        nonMatedDistances: [0.6, 0.25, nil, 0.7, 0.5])

    func testRates_atThresholds() {
        let low = metrics.rates(at: 0.3)
        XCTAssertEqual(low.truePositives, 1)  // 0.2 only; 0.3 is the wrong subject
        XCTAssertEqual(low.tpir, 0.25)  // the probe without a face counts as a miss
        XCTAssertEqual(low.falsePositives, 1)  // 0.25
        XCTAssertEqual(low.fpir, 0.25)  // the non-mated probe without a face is left out
        let high = metrics.rates(at: 0.6)
        XCTAssertEqual(high.tpir, 0.5)
        XCTAssertEqual(high.fpir, 0.75)
    }

    func testOperatingPoint_isJustBelowTheFirstDisallowedNonMatedDistance() throws {
        // FPIR <= 0.25 allows one of four false positives: threshold just below 0.5.
        let op = try XCTUnwrap(metrics.operatingPoint(fpir: 0.25))
        XCTAssertEqual(op.threshold, Float(0.5).nextDown)
        XCTAssertEqual(op.measuredFPIR, 0.25)
        XCTAssertEqual(op.tpir, 0.5)
        // 2 of 4 mated searches: the exact 95% Clopper-Pearson interval is [0.0676, 0.9324].
        XCTAssertEqual(op.tpirInterval[0], 0.0676, accuracy: 1e-4)
        XCTAssertEqual(op.tpirInterval[1], 0.9324, accuracy: 1e-4)
        // FPIR <= 0.1 allows none: just below 0.25, which keeps only the 0.2 mate.
        let strict = try XCTUnwrap(metrics.operatingPoint(fpir: 0.1))
        XCTAssertEqual(strict.threshold, Float(0.25).nextDown)
        XCTAssertEqual(strict.tpir, 0.25)
        XCTAssertEqual(strict.measuredFPIR, 0)
    }

    func testDETPoints_oneAtEachDistinctNonMatedDistance() {
        let points = metrics.detPoints()
        XCTAssertEqual(points.map(\.threshold), [0.25, 0.5, 0.6, 0.7])
        XCTAssertEqual(points.map(\.fpir), [0.25, 0.5, 0.75, 1.0])
        XCTAssertEqual(points.map(\.fnir), [0.75, 0.5, 0.5, 0.5])
    }

    func testSameInputs_sameFigures() {
        let again = IdentificationMetrics(mated: metrics.mated, nonMatedDistances: [0.5, 0.7, nil, 0.25, 0.6])
        XCTAssertEqual(again.rates(at: 0.45), metrics.rates(at: 0.45))
    }
}

/// Reference values from R's binom.test / scipy.stats.beta.ppf.
final class ClopperPearsonTests: XCTestCase {
    func testKnownIntervals() {
        let half = ClopperPearson.interval(successes: 5, trials: 10)
        XCTAssertEqual(half[0], 0.187086, accuracy: 1e-5)
        XCTAssertEqual(half[1], 0.812914, accuracy: 1e-5)
        let none = ClopperPearson.interval(successes: 0, trials: 10)
        XCTAssertEqual(none[0], 0)
        XCTAssertEqual(none[1], 0.308499, accuracy: 1e-5)
        let rare = ClopperPearson.interval(successes: 2, trials: 2553)
        XCTAssertEqual(rare[0], 0.0000948865, accuracy: 1e-8)
        XCTAssertEqual(rare[1], 0.0028269874, accuracy: 1e-8)
        XCTAssertEqual(ClopperPearson.interval(successes: 10, trials: 10)[1], 1)
    }
}
