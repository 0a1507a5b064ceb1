import FaceTemplates
import XCTest

/// Centroids average whole groups of people, so none is one person's face.
final class CohortCentroidsTests: XCTestCase {
    private func face(_ i: Int) -> FaceFeatures {
        var d = [Float](repeating: 0, count: Embedding.dimension),
            f = [Float](repeating: 0, count: FaceNetEmbedding.dimension)
        d[i] = 1
        f[i] = 1
        return FaceFeatures(dlib: Embedding(d), faceNet: FaceNetEmbedding(f))
    }

    func testEachCentroid_averagesAtLeastItsGroupOfPeople_andTheRemainderJoinsTheLast() {
        let centroids = CohortCentroids.make(from: (0..<12).map(face), peoplePerCentroid: 5)
        XCTAssertEqual(centroids.count, 2, "12 people in groups of 5: two centroids, the second of 7")
        let first = centroids[0].dlib.storage.withUnsafeBufferPointer { Array($0) }
        XCTAssertEqual(Array(first[0..<5]), [Float](repeating: 0.2, count: 5))
        XCTAssertEqual(first[5], 0)
        let second = centroids[1].dlib.storage.withUnsafeBufferPointer { Array($0) }
        XCTAssertEqual(second[5], 1.0 / 7, accuracy: 1e-6)
        XCTAssertEqual(second[11], 1.0 / 7, accuracy: 1e-6)
        // FaceNet centroids are unit length again, as the model's embeddings are.
        let norm = centroids[0].faceNet!.storage.withUnsafeBufferPointer { $0.reduce(0) { $0 + $1 * $1 } }.squareRoot()
        XCTAssertEqual(norm, 1, accuracy: 1e-5)
    }

    /// Grouped by nearness, the two clusters of a cohort give one centroid each, not two mixtures.
    func testNearestGrouping_keepsNeighboursTogether() {
        func near(_ axis: Int, _ wobble: Float) -> FaceFeatures {
            var d = [Float](repeating: 0, count: Embedding.dimension)
            d[axis] = 1
            d[10] = wobble
            return FaceFeatures(dlib: Embedding(d))
        }
        let faces = [near(0, 0), near(1, 0), near(0, 0.1), near(1, 0.1), near(0, 0.2), near(1, 0.2)]
        let centroids = CohortCentroids.make(from: faces, peoplePerCentroid: 3, grouping: .nearest)
        let values = centroids.map { c in c.dlib.storage.withUnsafeBufferPointer { [$0[0], $0[1]] } }
        XCTAssertEqual(values, [[1, 0], [0, 1]])
        XCTAssertEqual(
            CohortCentroids.make(from: faces, peoplePerCentroid: 3).map { c in
                c.dlib.storage.withUnsafeBufferPointer { $0[0] }
            },
            [2.0 / 3, 1.0 / 3], "in order, each group mixes both clusters")
    }

    func testFewerPeopleThanOneGroup_giveNoCentroid() {
        XCTAssertEqual(CohortCentroids.make(from: (0..<4).map(face), peoplePerCentroid: 5).count, 0)
    }
}
