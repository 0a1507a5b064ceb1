import FaceTemplates
import XCTest

@testable import Evaluation

/// `coordinator evaluate` scores enrolled templates at the precision a signed bundle stores them
/// (`--dlib-templates`, `--facenet-templates`), and probes as the edge computes them.
final class EvaluationPrecisionTests: XCTestCase {
    /// 0.1 is not a half float: rounded it becomes 0.099975586.
    private func features(_ value: Float) -> ImageFeatures {
        ImageFeatures(
            dlib: [Float](repeating: value, count: Embedding.dimension),
            dlibFlipAveraged: [Float](repeating: value, count: Embedding.dimension),
            faceNetFlipAveraged: [Float](repeating: value, count: FaceNetEmbedding.dimension))
    }

    private func searches(dlibHalf: Bool, faceNetHalf: Bool) -> EvaluationSearches {
        var searches = EvaluationSearches()
        searches.dlibTemplatesInHalfPrecision = dlibHalf
        searches.faceNetTemplatesInHalfPrecision = faceNetHalf
        searches.gallery = [("a", features(0.1))]
        searches.probes = [.init(identity: "a", features: features(0.1), fold: 0)]
        return searches
    }

    func testEnrolledTemplates_areRoundedModelByModel_probesNever() throws {
        let half = Float(Float16(Float(0.1)))
        XCTAssertNotEqual(half, 0.1)
        for (dlibHalf, faceNetHalf) in [(true, true), (true, false), (false, true), (false, false)] {
            let study = try searches(dlibHalf: dlibHalf, faceNetHalf: faceNetHalf).study(.fusedWatchlist)
            let entry = study.gallery[0]
            XCTAssertEqual(entry.templates[0].values[0], dlibHalf ? half : 0.1, "dlib half: \(dlibHalf)")
            XCTAssertEqual(
                entry.faceNetTemplates[0].values[0], faceNetHalf ? half : 0.1, "FaceNet half: \(faceNetHalf)")
            XCTAssertEqual(study.probes[0].features?.dlib.values[0], 0.1)
        }
    }
}
