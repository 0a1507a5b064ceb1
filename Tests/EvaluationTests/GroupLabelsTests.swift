import Shared
import XCTest

@testable import Evaluation

final class GroupLabelsTests: XCTestCase {
    func testParsesWithOrWithoutHeader_andRefusesBadLines() throws {
        let labels = try GroupLabels(csv: "identity,group\nann,A\nbob, B\n\n", file: "g.csv")
        XCTAssertEqual(labels.groupOf, ["ann": "A", "bob": "B"])
        XCTAssertEqual(labels.groups, ["A", "B"])
        XCTAssertThrowsError(try GroupLabels(csv: "ann,A\nbob\n", file: "g.csv")) {
            XCTAssertEqual(($0 as? EvaluationRefusal)?.code, .groupsLineMalformed)
            XCTAssert("\($0)".contains("g.csv line 2"), "\($0)")
        }
        XCTAssertThrowsError(try GroupLabels(csv: "ann,A\nann,B\n", file: "g.csv")) {
            XCTAssertEqual(($0 as? EvaluationRefusal)?.code, .groupsIdentityInTwoGroups)
            XCTAssert("\($0)".contains("already in group A"), "\($0)")
        }
        XCTAssertThrowsError(try GroupLabels(csv: "identity,group\n", file: "g.csv")) {
            XCTAssertEqual(($0 as? EvaluationRefusal)?.code, .groupsFileEmpty)
        }
    }

    /// Group A: 2 mated (1 hit), 2 non-mated (1 false). Group B: 2 mated (2 hits), 4 non-mated (1 false).
    func testHandComputedGroupRatesAndRatios() throws {
        let labels = GroupLabels(groupOf: ["a1": "A", "a2": "A", "b1": "B", "b2": "B"])
        let hit = MatedSearch(distance: 0.3, nearestIsMate: true),
            miss = MatedSearch(distance: 0.9, nearestIsMate: true)
        let result = GroupComparison.compare(
            mated: [("a1", hit), ("a2", miss), ("b1", hit), ("b2", hit), ("zz", hit)],
            nonMated: [("a1", 0.4), ("a2", 0.8), ("b1", 0.45), ("b1", 0.9), ("b2", 0.9), ("b2", nil), ("b2", 0.95)],
            labels: labels, threshold: 0.5)
        XCTAssertEqual(result.groups.map(\.group), ["A", "B"])
        XCTAssertEqual(result.groups[0].rates.tpir, 0.5)
        XCTAssertEqual(result.groups[0].rates.fpir, 0.5)
        XCTAssertEqual(result.groups[1].rates.tpir, 1.0)
        XCTAssertEqual(result.groups[1].nonMated, 4, "the probe without a face is left out")
        XCTAssertEqual(result.groups[1].rates.fpir, 0.25)
        XCTAssertEqual(result.tpirRatio, 2.0)
        XCTAssertEqual(result.fpirRatio, 2.0)
    }
}
