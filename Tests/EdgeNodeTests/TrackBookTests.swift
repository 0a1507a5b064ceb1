import FaceEngine
import FaceTemplates
import XCTest

@testable import EdgeNode

final class TrackBookTests: XCTestCase {
    private let start = ContinuousClock.now
    /// Embeddings of one person: 0.1 apart in each of the first values only, well within the switch distance.
    private func embedding(_ v: Float) -> Embedding {
        var values = [Float](repeating: 0.05, count: Embedding.dimension)
        values[0] = v
        return Embedding(values)
    }

    private func add(_ book: inout TrackBook, _ e: Embedding, rank: Float = 1, to id: TrackID, at t: Duration = .zero)
        -> Embedding
    {
        book.add(e, rank: rank, to: id, capturedAt: start + t, now: start + t)
    }

    func testEmbeds_firstFace_betterFaces_andAfterRefresh_upToTheCap() {
        var book = TrackBook(policy: TrackBook.Policy(maxEmbeddings: 3, improvement: 1.2, refreshFrames: 4))
        let id = TrackID(1)
        book.start(id, at: start)
        XCTAssertEqual(book.embeddingPriority(id, rank: 0.5), 2.5, "a track never embedded comes first")
        _ = add(&book, embedding(0.1), rank: 0.5, to: id)
        XCTAssertNil(book.embeddingPriority(id, rank: 0.55), "not better by 20%")
        XCTAssertEqual(book.embeddingPriority(id, rank: 0.7), 0.7, "better by more than 20%")
        _ = add(&book, embedding(0.2), rank: 0.7, to: id)
        for _ in 0..<3 { XCTAssertNil(book.embeddingPriority(id, rank: 0.1)) }
        XCTAssertEqual(book.embeddingPriority(id, rank: 0.1), 0.1, "refresh after 4 frames")
        _ = add(&book, embedding(0.3), rank: 0.1, to: id)
        XCTAssertNil(book.embeddingPriority(id, rank: 5), "cap of 3 reached")
    }

    func testFaceNet_isSpentOnATracksFirstFacesOnly_andItsMeanIsUnitLength() {
        var book = TrackBook(policy: TrackBook.Policy(maxFaceNetPerTrack: 2))
        let id = TrackID(1)
        book.start(id, at: start)
        XCTAssertTrue(book.wantsFaceNet(id))
        XCTAssertNil(book.faceNetMean(id))
        func axis(_ i: Int) -> FaceNetEmbedding {
            var v = [Float](repeating: 0, count: FaceNetEmbedding.dimension)
            v[i] = 1
            return FaceNetEmbedding(v)
        }
        _ = book.addFaceNet(axis(0), to: id)
        let mean = book.addFaceNet(axis(1), to: id)
        XCTAssertEqual(mean.values[0], (0.5 as Float).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(mean.values.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
        XCTAssertFalse(book.wantsFaceNet(id), "cap of 2 reached")
        XCTAssertEqual(book.faceNetMean(id), mean)
        XCTAssertFalse(book.wantsFaceNet(TrackID(9)), "an unknown track gets nothing")
    }

    func testTrackMean_averagesItsEmbeddings() {
        var book = TrackBook(policy: TrackBook.Policy())
        book.start(TrackID(1), at: start)
        _ = add(&book, embedding(0.1), rank: 1, to: TrackID(1))
        let mean = add(&book, embedding(0.3), to: TrackID(1))
        XCTAssertEqual(mean.values[0], 0.2, accuracy: 1e-6)
    }

    func testOneAlertPerSubjectPerTrack_andNoMoreEmbeddingsAfterIt() {
        var book = TrackBook(policy: TrackBook.Policy())
        book.start(TrackID(1), at: start)
        XCTAssertTrue(book.recordAlert("s", for: TrackID(1)))
        XCTAssertFalse(book.recordAlert("s", for: TrackID(1)))
        XCTAssertTrue(book.hasAlerted(TrackID(1)))
        XCTAssertNil(book.embeddingPriority(TrackID(1), rank: 1))
    }

    func testEndedTrack_isForgotten_andOnlyNonMatchLifetimesAreRecorded() {
        var book = TrackBook(policy: TrackBook.Policy())
        book.start(TrackID(1), at: start)
        _ = add(&book, embedding(0.1), rank: 1, to: TrackID(1))
        book.start(TrackID(2), at: start)
        _ = add(&book, embedding(0.1), rank: 1, to: TrackID(2))
        _ = book.recordAlert("s", for: TrackID(2))
        book.end(TrackID(1), at: start + .milliseconds(1500))
        book.end(TrackID(2), at: start + .milliseconds(3000))
        XCTAssertTrue(book.entries.isEmpty)
        XCTAssertEqual(book.nonMatchLifetimes.count, 1)
        XCTAssertEqual(try XCTUnwrap(book.nonMatchLifetimes.maximumSeconds), 1.5, accuracy: 0.0015)
    }

    /// Two people crossing: the tracker hands one's track to the other. The first person's data is
    /// wiped when the second's first face arrives, and its lifetime is the first person's time only.
    func testTrackHandedToAnotherPerson_wipesTheFirstPersonsData_atOnce() {
        var book = TrackBook(policy: TrackBook.Policy())
        let id = TrackID(1)
        book.start(id, at: start)
        let first = embedding(0.1)
        _ = add(&book, first, to: id)
        _ = add(&book, embedding(0.2), to: id, at: .seconds(1))
        let other = Embedding([Float](repeating: -0.05, count: Embedding.dimension))  // 1.13 away: someone else
        let mean = add(&book, other, to: id, at: .seconds(2))
        XCTAssertEqual(book.identitySwitches, 1)
        XCTAssertEqual(mean, other, "the track starts again from the second person")
        XCTAssertTrue(first.values.allSatisfy { $0 == 0 }, "the first person's embeddings are erased")
        XCTAssertEqual(try XCTUnwrap(book.nonMatchLifetimes.maximumSeconds), 2, accuracy: 0.002)
        book.end(id, at: start + .seconds(3))
        XCTAssertEqual(
            try XCTUnwrap(book.nonMatchLifetimes.maximumSeconds), 2, accuracy: 0.002,
            "the second person's data lived 1 s, not the 3 s of the whole track")
        XCTAssertEqual(book.nonMatchLifetimes.count, 2)
    }
}
