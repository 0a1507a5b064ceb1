import Shared
import XCTest

@testable import Evaluation

final class FalseMatchSpreadTests: XCTestCase {
    func testHandComputedSpread() {
        // Entries a, b, c, d. Non-mated nearest: a three times within 0.5, b once, c once beyond it.
        let spread = FalseMatchSpread.measure(
            nearest: [("a", 0.3), ("a", 0.4), ("a", 0.5), ("b", 0.45), ("c", 0.7)],
            subjects: ["a", "b", "c", "d"], threshold: 0.5)
        XCTAssertEqual(spread.entries, 4)
        XCTAssertEqual(spread.falseMatches, 4)
        XCTAssertEqual(spread.entriesWithFalseMatches, 2)
        XCTAssertEqual(spread.median, 0.5)  // counts 0, 0, 1, 3
        XCTAssertEqual(spread.mean, 1.0)
        XCTAssertEqual(spread.worst, [.init(subject: "a", falseMatches: 3), .init(subject: "b", falseMatches: 1)])
        XCTAssertEqual(spread.worstToMean, 3.0)
    }

    func testNoFalseMatches_hasNoRatio_andTiesAreOrderedByName() {
        XCTAssertNil(FalseMatchSpread.measure(nearest: [("a", 0.9)], subjects: ["a"], threshold: 0.5).worstToMean)
        let tie = FalseMatchSpread.measure(nearest: [("z", 0.1), ("m", 0.1)], subjects: ["m", "z"], threshold: 0.5)
        XCTAssertEqual(tie.worst.map(\.subject), ["m", "z"])
    }
}
