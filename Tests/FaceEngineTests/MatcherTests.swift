import FaceEngine
import FaceTemplates
import Shared
import XCTest

final class MatcherTests: XCTestCase {
    /// A unit vector along one axis, scaled.
    private func axis(_ i: Int, _ scale: Float = 1) -> Embedding {
        var v = [Float](repeating: 0, count: Embedding.dimension)
        v[i] = scale
        return Embedding(v)
    }

    func testNearestSubject_usesItsClosestTemplate_andReportsTheRunnerUp() throws {
        let matcher = Matcher(entries: [
            WatchlistEntry(subject: "a", templates: [axis(0), axis(1)]),
            WatchlistEntry(subject: "b", templates: [axis(2)]),
        ])
        XCTAssertEqual(matcher.templateCount, 3)
        let result = try XCTUnwrap(matcher.nearest(to: axis(1, 0.9)))
        XCTAssertEqual(result.subject, "a")
        XCTAssertEqual(result.distance, 0.1, accuracy: 1e-5)
        XCTAssertEqual(result.runnerUp, "b")
        XCTAssertEqual(try XCTUnwrap(result.runnerUpDistance), (0.81 + 1 as Float).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(result.margin), result.runnerUpDistance! - 0.1, accuracy: 1e-5)
    }

    func testRunnerUp_isAnotherSubject_notAnotherTemplateOfTheSame() throws {
        let matcher = Matcher(entries: [
            WatchlistEntry(subject: "a", templates: [axis(0), axis(0, 0.95)]),
            WatchlistEntry(subject: "b", templates: [axis(5)]),
        ])
        XCTAssertEqual(try XCTUnwrap(matcher.nearest(to: axis(0))).runnerUp, "b")
    }

    func testSingleSubject_hasNoMargin_andEmptyListNoMatch() throws {
        let one = Matcher(entries: [WatchlistEntry(subject: "a", templates: [axis(0)])])
        XCTAssertNil(try XCTUnwrap(one.nearest(to: axis(1))).margin)
        XCTAssertNil(Matcher(entries: []).nearest(to: axis(0)))
    }

    func testScore_isOneForIdentical_zeroAtThreshold_negativeBeyond() {
        let c = MatchCandidate(subject: "a", distance: 0.25, runnerUp: nil, runnerUpDistance: nil)
        XCTAssertEqual(c.score(threshold: 0.5), 0.5, accuracy: 1e-6)
        XCTAssertEqual(c.score(threshold: 0.25), 0, accuracy: 1e-6)
        XCTAssertLessThan(c.score(threshold: 0.2), 0)
    }

    func testBlasDistances_agreeWithDirectDistances_onRandomData() throws {
        var generator = SystemRandomNumberGenerator()
        let entries = (0..<50).map { i in
            WatchlistEntry(
                subject: "s\(i)",
                templates: (0..<3).map { _ in
                    Embedding((0..<Embedding.dimension).map { _ in Float.random(in: -0.2...0.2, using: &generator) })
                })
        }
        let probe = Embedding((0..<Embedding.dimension).map { _ in Float.random(in: -0.2...0.2, using: &generator) })
        let expected = entries.flatMap { e in e.templates.map { (e.subject, $0.distance(to: probe)) } }.min {
            $0.1 < $1.1
        }!
        let result = try XCTUnwrap(Matcher(entries: entries).nearest(to: probe))
        XCTAssertEqual(result.subject, expected.0)
        XCTAssertEqual(result.distance, expected.1, accuracy: 1e-4)
    }

    /// A unit FaceNet vector along one axis.
    private func second(_ i: Int) -> FaceNetEmbedding {
        var v = [Float](repeating: 0, count: FaceNetEmbedding.dimension)
        v[i] = 1
        return FaceNetEmbedding(v)
    }

    private let settings = FusionSettings(dlibWeight: 0.5, dlibScale: 1, cohortSize: 2, priorDistance: 2)

    private func fusedEntries() -> [WatchlistEntry] {
        [
            WatchlistEntry(subject: "a", templates: [axis(0)], faceNetTemplates: [second(0)]),
            WatchlistEntry(subject: "b", templates: [axis(1)], faceNetTemplates: [second(1)]),
        ]
    }

    /// Worked by hand: the probe is 0.1 (dlib) and 0 (FaceNet) from a; b and the cohort face are
    /// sqrt(1.81) and sqrt(2) away, so each fuses to 1.3798 and the normaliser is their mean.
    func testFusedScore_isFusedDistanceOverTheMeanOfTheNearestOthers() throws {
        let cohort = [FaceFeatures(dlib: axis(2), faceNet: second(2))]
        let matcher = try Matcher(entries: fusedEntries(), rule: .fusedCohort(settings), cohort: cohort)
        let probe = FaceFeatures(dlib: axis(0, 0.9), faceNet: second(0))
        let result = try XCTUnwrap(matcher.nearest(to: probe))
        let far = 0.5 * (1.81 as Float).squareRoot() + 0.5 * (2 as Float).squareRoot()
        XCTAssertEqual(result.subject, "a")
        XCTAssertEqual(result.distance, 0.05 / far, accuracy: 1e-5)
        XCTAssertEqual(result.runnerUp, "b")
        XCTAssertEqual(try XCTUnwrap(result.runnerUpDistance), 1, accuracy: 1e-5)
    }

    func testMissingCohortFaces_areFilledWithThePrior() throws {
        let probe = FaceFeatures(dlib: axis(0, 0.9), faceNet: second(0))
        let far = 0.5 * (1.81 as Float).squareRoot() + 0.5 * (2 as Float).squareRoot()
        let two = try Matcher(entries: fusedEntries(), rule: .fusedCohort(settings), cohort: [])
        XCTAssertEqual(try XCTUnwrap(two.nearest(to: probe)).distance, 0.05 / ((far + 2) / 2), accuracy: 1e-5)
        let one = try Matcher(entries: [fusedEntries()[0]], rule: .fusedCohort(settings), cohort: [])
        XCTAssertEqual(
            try XCTUnwrap(one.nearest(to: probe)).distance, 0.05 / 2, accuracy: 1e-5,
            "one entry, no cohort: fused distance over the prior")
    }

    /// Without a FaceNet embedding the probe gets the edge's cheap first look: dlib only, normalised alike.
    func testFirstLook_withoutFaceNet_scoresDlibAlone() throws {
        let cohort = [FaceFeatures(dlib: axis(2), faceNet: second(2))]
        let matcher = try Matcher(entries: fusedEntries(), rule: .fusedCohort(settings), cohort: cohort)
        XCTAssertTrue(matcher.wantsFaceNet)
        let result = try XCTUnwrap(matcher.nearest(to: FaceFeatures(dlib: axis(0, 0.9))))
        XCTAssertEqual(result.distance, 0.1 / (1.81 as Float).squareRoot(), accuracy: 1e-5)
    }

    func testFusedRule_refusesListsOrCohortsWithoutFaceNet() {
        let plain = [WatchlistEntry(subject: "a", templates: [axis(0)])]
        XCTAssertThrowsError(try Matcher(entries: plain, rule: .recommended, cohort: [])) { error in
            XCTAssert("\(error)".contains("FaceNet template for every dlib template"), "\(error)")
        }
        XCTAssertThrowsError(
            try Matcher(entries: fusedEntries(), rule: .recommended, cohort: [FaceFeatures(dlib: axis(3))]))
        XCTAssertThrowsError(
            try Matcher(entries: fusedEntries(), rule: .fusedCohort(FusionSettings(cohortSize: 0)), cohort: []))
        XCTAssertNoThrow(try Matcher(entries: plain, rule: .distance, cohort: []))
    }

    /// The fused scores on random data agree with a direct, sort-everything computation.
    func testFusedScores_agreeWithADirectComputation_onRandomData() throws {
        var generator = SplitMix64(seed: 11)
        func vector(_ n: Int) -> [Float] { (0..<n).map { _ in Float.random(in: -0.2...0.2, using: &generator) } }
        let entries = (0..<30).map { i in
            WatchlistEntry(
                subject: "s\(i)", templates: [Embedding(vector(128)), Embedding(vector(128))],
                faceNetTemplates: [FaceNetEmbedding(vector(512)), FaceNetEmbedding(vector(512))])
        }
        let cohort = (0..<20).map { _ in
            FaceFeatures(dlib: Embedding(vector(128)), faceNet: FaceNetEmbedding(vector(512)))
        }
        let rule = FusionSettings()
        let matcher = try Matcher(entries: entries, rule: .fusedCohort(rule), cohort: cohort)
        let probe = FaceFeatures(dlib: Embedding(vector(128)), faceNet: FaceNetEmbedding(vector(512)))
        func fuse(_ d: Embedding, _ f: FaceNetEmbedding) -> Float {
            rule.dlibWeight * probe.dlib.distance(to: d) / rule.dlibScale + (1 - rule.dlibWeight)
                * probe.faceNet!.distance(to: f)
        }
        let perSubject = entries.map { e in
            (e.subject, zip(e.templates, e.faceNetTemplates).map { fuse($0, $1) }.min()!)
        }
        let best = perSubject.min { $0.1 < $1.1 }!
        let others = (perSubject.filter { $0.0 != best.0 }.map(\.1) + cohort.map { fuse($0.dlib, $0.faceNet!) })
            .sorted().prefix(rule.cohortSize)
        let expected = best.1 / (others.reduce(0, +) / Float(others.count))
        let result = try XCTUnwrap(matcher.nearest(to: probe))
        XCTAssertEqual(result.subject, best.0)
        XCTAssertEqual(result.distance, expected, accuracy: 1e-4)
    }
}
