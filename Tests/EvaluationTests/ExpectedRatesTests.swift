import FaceTemplates
import Foundation
import Shared
import TestSupport
import XCTest

@testable import Evaluation

/// A list whose size lies between two evaluated sizes is given the threshold, and shown the
/// false-alert rate, of the less favourable of the two: false alerts rise with size under a
/// separate cohort and fall with it when the list is its own cohort.
final class ExpectedRatesTests: XCTestCase {
    /// A `--cohort watchlist` report with sizes 10 and 100 where, as measured on lfw_dev, the
    /// larger list keeps FPIR <= 1e-3 up to a higher threshold (0.64) than the smaller (0.58).
    static func sampleReport(cohort: String = "watchlist", cohortFaces: Int? = nil, enrolmentStudy: Bool = false)
        -> EvaluationReport
    {
        func row(_ size: Int, strictUpTo limit: Float) -> EvaluationReport.ListSize {
            let rates = EvaluationReport.ListSize.grid.map { t in
                let fpir = t <= limit + 0.0001 ? 0.0009 : 0.01
                return RatePoint(
                    threshold: t, tpir: Double(t), fpir: fpir, truePositives: 0, falsePositives: 0,
                    tpirInterval: [0, 1], fpirInterval: [fpir / 2, fpir * 2])
            }
            return .init(
                size: size, draws: 1, mated: 1, nonMated: 1, operatingPoints: [], atThreshold: nil,
                ratesByThreshold: rates)
        }
        return EvaluationReport(
            dataset: "d", scoring: "fused", cohort: cohort, cohortFaces: cohortFaces, identitiesEnrolled: 1, mated: 1,
            nonMated: 1,
            detectionFailures: .init(enrolment: 0, mated: 0, nonMated: 0, total: 0, rate: 0), operatingPoints: [],
            thresholds: [],
            fixedThreshold: nil, recommendedThreshold: nil, recommendedFor: 10,
            listSizes: [row(10, strictUpTo: 0.58), row(100, strictUpTo: 0.64)],
            falseMatchSpread: nil, spreadAtFPIR: nil, groups: nil,
            enrolmentStudy: enrolmentStudy
                ? [
                    .init(
                        enrolment: "one photo", identities: 553,
                        listSizes: [row(10, strictUpTo: 0.57), row(100, strictUpTo: 0.63)]),
                    .init(
                        enrolment: "two templates", identities: 553,
                        listSizes: [row(10, strictUpTo: 0.55), row(100, strictUpTo: 0.61)]),
                    .init(
                        enrolment: "fused", identities: 553,
                        listSizes: [row(10, strictUpTo: 0.54), row(100, strictUpTo: 0.60)]),
                ] : nil)
    }

    private func report(cohort: String = "watchlist", cohortFaces: Int? = nil, enrolmentStudy: Bool = false) throws
        -> String
    {
        let report = Self.sampleReport(cohort: cohort, cohortFaces: cohortFaces, enrolmentStudy: enrolmentStudy)
        let path = try Fixtures.temporaryFolder(self) + "/eval.json"
        try JSONEncoder().encode(report).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testTheCommittedLfwDevReport_givesMeasuredRates_andTheFPIRByGroupAtItsThreshold() throws {
        let rates = try ExpectedRates(
            reportPath: Fixtures.committedEvaluation, threshold: 0.58, listSize: 2, cohort: .watchlist)
        XCTAssert((0.3..<0.99).contains(rates.rates.tpir), "measured, not a toy's 1.000: \(rates.rates.tpir)")
        XCTAssertGreaterThan(rates.rates.tpirInterval[1] - rates.rates.tpirInterval[0], 0)
        let groups = try XCTUnwrap(rates.fpirByGroup, "made with --groups at --threshold 0.58")
        XCTAssertEqual(Set(groups.keys), ["female", "male"])
        XCTAssert(groups.values.allSatisfy { $0.count == 3 && $0[1] <= $0[0] && $0[0] <= $0[2] }, "\(groups)")
        let elsewhere = try ExpectedRates(
            reportPath: Fixtures.committedEvaluation, threshold: 0.70, listSize: 2, cohort: .watchlist)
        XCTAssertNil(elsewhere.fpirByGroup, "its groups were measured at 0.58, not at 0.70")
    }

    func testThresholdForASizeBetweenRows_isTheStricterOfBoth() throws {
        let path = try report()
        XCTAssertEqual(
            try ExpectedRates.threshold(reportPath: path, fpir: 1e-3, listSize: 40, cohort: .watchlist), 0.58,
            accuracy: 1e-6)
        XCTAssertEqual(
            try ExpectedRates.threshold(reportPath: path, fpir: 1e-3, listSize: 100, cohort: .watchlist), 0.64,
            accuracy: 1e-6)
        XCTAssertEqual(
            try ExpectedRates.threshold(reportPath: path, fpir: 1e-3, listSize: 5000, cohort: .watchlist), 0.64,
            accuracy: 1e-6)
    }

    func testExpectedRatesForASizeBetweenRows_showTheRowWithMoreFalseAlerts() throws {
        let rates = try ExpectedRates(reportPath: try report(), threshold: 0.60, listSize: 40, cohort: .watchlist)
        XCTAssertEqual(rates.evaluatedSize, 10)
        XCTAssertEqual(rates.rates.fpir, 0.01)
    }

    /// Centroids normalise differently from the faces they replace: a bundle of centroids takes
    /// its threshold only from a report made with the same centroids, and the reverse.
    func testCentroidCohort_takesItsThresholdOnlyFromACentroidReport() throws {
        let centroids = ExpectedRates.CohortKind.centroids(count: 252, perCentroid: 5)
        let centroidReport = try report(cohort: "two-fold, centroids of 5 (nearest)", cohortFaces: 255)
        XCTAssertEqual(
            try ExpectedRates.threshold(reportPath: centroidReport, fpir: 1e-3, listSize: 40, cohort: centroids), 0.58,
            accuracy: 1e-6)
        let facesReport = try report(cohort: "two-fold", cohortFaces: 1276)
        XCTAssertThrowsError(
            try ExpectedRates.threshold(reportPath: facesReport, fpir: 1e-3, listSize: 40, cohort: centroids)
        ) {
            XCTAssertEqual(($0 as? EvaluationRefusal)?.code, .reportMadeDifferently)
            XCTAssert("\($0)".contains("--cohort two-fold, centroids of 5 (nearest)"), "\($0)")
        }
        XCTAssertThrowsError(
            try ExpectedRates.threshold(
                reportPath: centroidReport, fpir: 1e-3, listSize: 40, cohort: .separate(faces: 1260))
        ) { XCTAssertEqual(($0 as? EvaluationRefusal)?.code, .reportMadeDifferently) }
        XCTAssertThrowsError(
            try ExpectedRates.threshold(
                reportPath: centroidReport, fpir: 1e-3, listSize: 40,
                cohort: .centroids(count: 20, perCentroid: 5)), "far fewer centroids than evaluated"
        ) { XCTAssertEqual(($0 as? EvaluationRefusal)?.code, .reportCohortLarger) }
    }

    /// A built bundle says what its cohort templates stand for, so `watchlist show` and
    /// `deployment create` read a centroid bundle's figures from a centroid report, not a faces one.
    func testBundlesCohort_isReadAsItsBundleSaysFacesOrCentroids() throws {
        let face = FaceFeatures(
            dlib: Embedding([Float](repeating: 0.1, count: Embedding.dimension)),
            faceNet: FaceNetEmbedding([Float](repeating: 0.1, count: FaceNetEmbedding.dimension)))
        let now = Date()
        var bundle = WatchlistBundle(
            deploymentID: "d", watchlistID: "w", version: 1, issuedAt: now, notBefore: now, expiresAt: now,
            embeddingModel: MatchingRule.recommended.embeddingModel, threshold: 0.58, rule: .recommended,
            entries: [WatchlistEntry(subject: "s", features: [face])],
            cohort: Array(repeating: face, count: 252), peoplePerCohortTemplate: 5)
        let centroidReport = try report(cohort: "two-fold, centroids of 5 (nearest)", cohortFaces: 255)
        XCTAssertEqual(
            try ExpectedRates(reportPath: centroidReport, threshold: 0.58, listSize: 40, cohort: .init(bundle)).rates
                .fpir, 0.0009)
        bundle.peoplePerCohortTemplate = 1
        XCTAssertThrowsError(
            try ExpectedRates(reportPath: centroidReport, threshold: 0.58, listSize: 40, cohort: .init(bundle)))
        bundle.cohort = []
        guard case .watchlist = ExpectedRates.CohortKind(bundle) else {
            return XCTFail("a bundle without a cohort is its own")
        }
    }

    /// Several photos per subject find strangers more often at the same threshold: such a list
    /// takes its threshold and rates from the report's enrolment study for that enrolment, and a
    /// report without one is refused rather than read as if the list had one photo each.
    func testListWithSeveralPhotosPerSubject_takesTheEnrolmentStudysRows_orIsRefused() throws {
        let study = try report(enrolmentStudy: true)
        XCTAssertEqual(
            try ExpectedRates.threshold(reportPath: study, fpir: 1e-3, listSize: 40, cohort: .watchlist), 0.58,
            accuracy: 1e-6)
        XCTAssertEqual(
            try ExpectedRates.threshold(
                reportPath: study, fpir: 1e-3, listSize: 40, cohort: .watchlist, enrolment: .twoTemplates),
            0.55, accuracy: 1e-6)
        XCTAssertEqual(
            try ExpectedRates.threshold(
                reportPath: study, fpir: 1e-3, listSize: 100, cohort: .watchlist, enrolment: .twoFused),
            0.60, accuracy: 1e-6)
        let rates = try ExpectedRates(
            reportPath: study, threshold: 0.56, listSize: 10, cohort: .watchlist, enrolment: .twoTemplates)
        XCTAssertEqual(
            rates.rates.fpir, 0.01, "0.56 is beyond the two-template rows' 0.55, though within the one-photo rows' 0.58"
        )

        let onePhotoOnly = try report()
        for enrolment in [EvaluationSearches.Enrolment.twoTemplates, .twoFused] {
            XCTAssertThrowsError(
                try ExpectedRates.threshold(
                    reportPath: onePhotoOnly, fpir: 1e-3, listSize: 10, cohort: .watchlist,
                    enrolment: enrolment)
            ) {
                XCTAssertEqual(($0 as? EvaluationRefusal)?.code, .reportLacksEnrolmentStudy)
                XCTAssert(
                    "\($0)".contains("coordinator evaluate --enrolment-study --json")
                        && "\($0)".contains("(\(enrolment.key))"), "\($0)")
            }
            XCTAssertThrowsError(
                try ExpectedRates(
                    reportPath: onePhotoOnly, threshold: 0.5, listSize: 10, cohort: .watchlist, enrolment: enrolment)
            ) { XCTAssertEqual(($0 as? EvaluationRefusal)?.code, .reportLacksEnrolmentStudy) }
        }
    }
}
