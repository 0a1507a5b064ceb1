import Foundation
import FuzzSupport
import TestSupport
import XCTest

@testable import EdgeNode

/// The edge's config reader fed random and mutated config files for a fixed count: none
/// crashes, and every refusal names the file.
final class EdgeConfigFuzzTests: XCTestCase {
    func testMutatedEdgeConfigs_areTakenOrRefusedNamingTheFile() throws {
        let repo = Fixtures.repository
        let samples = try ["edge-node.example.json", "edge-node.serve.example.json"].map {
            Array(try Data(contentsOf: URL(fileURLWithPath: repo + "/config/" + $0)))
        }
        let outcome = FileParserFuzz.run(
            samples: samples, count: 2000, path: try Fixtures.temporaryFolder(self) + "/edge.json"
        ) { path in
            _ = try EdgeConfigFile.load(path: path)
        }
        XCTAssertEqual(outcome.refusalsNotNamingTheFile, [])
        XCTAssertGreaterThan(outcome.refused, 0)
        XCTAssertGreaterThan(outcome.taken, 0)
    }
}
