import FaceEngine
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
            WatchlistEntry(subject: "s\(i)", templates: (0..<3).map { _ in
                Embedding((0..<Embedding.dimension).map { _ in Float.random(in: -0.2...0.2, using: &generator) })
            })
        }
        let probe = Embedding((0..<Embedding.dimension).map { _ in Float.random(in: -0.2...0.2, using: &generator) })
        let expected = entries.flatMap { e in e.templates.map { (e.subject, $0.distance(to: probe)) } }.min { $0.1 < $1.1 }!
        let result = try XCTUnwrap(Matcher(entries: entries).nearest(to: probe))
        XCTAssertEqual(result.subject, expected.0)
        XCTAssertEqual(result.distance, expected.1, accuracy: 1e-4)
    }
}
