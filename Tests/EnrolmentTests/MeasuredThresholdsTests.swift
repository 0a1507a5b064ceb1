import Enrolment
import FaceTemplates
import XCTest

/// The default threshold follows the list's size the way the measurements do, and never gives a
/// size between two measured ones a laxer threshold than either.
final class MeasuredThresholdsTests: XCTestCase {
    func testMeasuredSizes_getTheirOwnThreshold() {
        XCTAssertEqual(MeasuredThresholds.threshold(for: .recommended, cohortFaces: 1260, listSize: 10), 0.88)
        XCTAssertEqual(MeasuredThresholds.threshold(for: .recommended, cohortFaces: 1260, listSize: 40), 0.84)
        XCTAssertEqual(MeasuredThresholds.threshold(for: .recommended, cohortFaces: 0, listSize: 10), 0.58)
        XCTAssertEqual(MeasuredThresholds.threshold(for: .recommended, cohortFaces: 0, listSize: 40), 0.62)
        XCTAssertEqual(MeasuredThresholds.threshold(for: .distance, cohortFaces: 0, listSize: 100), 0.40)
    }

    /// With a cohort thresholds fall as lists grow; a list that is its own cohort rises. Either
    /// way a size between rows gets the stricter of the two.
    func testSizesBetweenRows_getTheStricterNeighbour() {
        XCTAssertEqual(
            MeasuredThresholds.threshold(for: .recommended, cohortFaces: 1260, listSize: 30), 0.84,
            "between 20 (0.85) and 40 (0.84)")
        XCTAssertEqual(
            MeasuredThresholds.threshold(for: .recommended, cohortFaces: 0, listSize: 30), 0.59,
            "between 20 (0.59) and 40 (0.62)")
        XCTAssertEqual(
            MeasuredThresholds.threshold(for: .distance, cohortFaces: 0, listSize: 50), 0.40,
            "between 10 (0.47) and 100 (0.40)")
    }

    func testOutsideTheMeasuredRange_takesTheNearestRow_andASmallCohortCountsAsNone() {
        XCTAssertEqual(MeasuredThresholds.threshold(for: .recommended, cohortFaces: 1260, listSize: 2), 0.88)
        XCTAssertEqual(MeasuredThresholds.threshold(for: .recommended, cohortFaces: 1260, listSize: 5000), 0.77)
        XCTAssertEqual(MeasuredThresholds.threshold(for: .recommended, cohortFaces: 999, listSize: 10), 0.58)
        XCTAssertEqual(MeasuredThresholds.table(for: .recommended, cohortFaces: 0).largestSize, 1000)
    }

    /// A second photo per subject needs a stricter threshold where it was measured to (with a
    /// cohort; fused either way), and never gives a laxer one than a single photo.
    func testSeveralPhotosPerSubject_getTheStricterThresholdsMeasuredForThem() {
        XCTAssertEqual(
            MeasuredThresholds.threshold(
                for: .recommended, cohortFaces: 1260, listSize: 40, enrolment: .severalTemplates),
            0.82)
        XCTAssertEqual(
            MeasuredThresholds.threshold(for: .recommended, cohortFaces: 1260, listSize: 10, enrolment: .fused), 0.84)
        XCTAssertEqual(
            MeasuredThresholds.threshold(for: .recommended, cohortFaces: 0, listSize: 40, enrolment: .fused), 0.61)
        XCTAssertEqual(
            MeasuredThresholds.threshold(for: .recommended, cohortFaces: 0, listSize: 40, enrolment: .severalTemplates),
            0.62,
            "without a cohort a second template measured no stricter")
        XCTAssertEqual(
            MeasuredThresholds.threshold(
                for: .recommended, cohortFaces: 1260, listSize: 1000, enrolment: .severalTemplates),
            0.77,
            "beyond the measured sizes, never laxer than one photo")
        XCTAssertEqual(
            MeasuredThresholds.threshold(for: .distance, cohortFaces: 0, listSize: 10, enrolment: .fused), 0.47)
    }
}
