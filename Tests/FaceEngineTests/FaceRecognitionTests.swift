import FaceEngine
import FaceTemplates
import TestSupport
import VisionTestSupport
import XCTest

/// Real faces through the real models: the photos of the face_recognition 1.3.0 sdist.
final class FaceRecognitionTests: XCTestCase {
    /// The recommended match threshold (README, "Accuracy").
    static let threshold: Float = 0.47
    nonisolated(unsafe) static var enroller: FaceEnroller!
    /// The same with the second model, as watchlist tooling enrols.
    nonisolated(unsafe) static var fusedEnroller: FaceEnroller!

    override class func setUp() {
        super.setUp()
        let models = Fixtures.models
        enroller = try? FaceEnroller(
            detector: models.makeDetector(), embedder: models.makeEmbedder(), gate: QualityGate())
        fusedEnroller = try? models.makeEnroller()
    }

    private func features(_ name: String) throws -> FaceFeatures {
        let enroller = try XCTUnwrap(Self.fusedEnroller, "models missing: run scripts/setup.sh")
        return try enroller.enrol(imageAt: try Fixtures.photo(name)).get()
    }

    func testFaceNet_givesUnitVectors_closerForTheSamePerson() throws {
        let obama = try XCTUnwrap(try features("obama.jpg").faceNet),
            obama2 = try XCTUnwrap(try features("obama2.jpg").faceNet)
        let biden = try XCTUnwrap(try features("biden.jpg").faceNet)
        XCTAssertEqual(obama.values.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-4)
        XCTAssertLessThan(obama.distance(to: obama2) + 0.2, obama.distance(to: biden), "same person clearly closer")
    }

    /// Under the fused rule with the default threshold for short lists without a cohort (0.60),
    /// Obama's other photos match his entry and Biden matches nobody.
    func testFusedMatcher_findsObama_andNotBiden() throws {
        let matcher = try Matcher(
            entries: [WatchlistEntry(subject: "subject-obama", features: [try features("obama.jpg")])],
            rule: .recommended, cohort: [])
        for name in ["obama2.jpg", "obama3.jpg"] {
            let result = try XCTUnwrap(matcher.nearest(to: try features(name)))
            XCTAssertLessThan(result.distance, 0.60, name)
        }
        XCTAssertGreaterThan(try XCTUnwrap(matcher.nearest(to: try features("biden.jpg"))).distance, 0.75)
    }

    private func template(_ name: String) throws -> Embedding {
        let enroller = try XCTUnwrap(Self.enroller, "models missing: run scripts/setup.sh")
        switch enroller.enrol(imageAt: try Fixtures.photo(name)) {
        case .success(let e): return e.dlib
        case .failure(let why):
            XCTFail("\(name) refused: \(why)")
            throw why
        }
    }

    func testObamaPhotos_matchEachOther_belowTheThreshold() throws {
        let photos = try ["obama.jpg", "obama2.jpg", "obama3.jpg"].map(template)
        for i in 0..<photos.count {
            for j in (i + 1)..<photos.count {
                XCTAssertLessThan(photos[i].distance(to: photos[j]), Self.threshold, "obama photos \(i) and \(j)")
            }
        }
    }

    func testBiden_doesNotMatchObama() throws {
        let biden = try template("biden.jpg")
        for name in ["obama.jpg", "obama2.jpg", "obama3.jpg"] {
            XCTAssertGreaterThan(try template(name).distance(to: biden), 0.6, "biden vs \(name)")
        }
    }

    func testMatcher_findsObama_amongSubjects() throws {
        let matcher = Matcher(entries: [
            WatchlistEntry(subject: "subject-obama", templates: [try template("obama.jpg")]),
            WatchlistEntry(subject: "subject-biden", templates: [try template("biden.jpg")]),
        ])
        let result = try XCTUnwrap(matcher.nearest(to: try template("obama2.jpg")))
        XCTAssertEqual(result.subject, "subject-obama")
        XCTAssertEqual(result.runnerUp, "subject-biden")
        XCTAssertGreaterThan(try XCTUnwrap(result.margin), 0.2)
        XCTAssertGreaterThan(result.score(threshold: Self.threshold), 0)
    }

    func testDetector_findsOneFace_withLandmarksInsideTheBox() throws {
        let enroller = try XCTUnwrap(Self.enroller)
        let image = try Image(contentsOf: try Fixtures.photo("obama.jpg"))
        let faces = try enroller.detector.detect(in: image)
        XCTAssertEqual(faces.count, 1)
        let face = try XCTUnwrap(faces.first)
        XCTAssertGreaterThan(face.confidence, 0.8)
        XCTAssertLessThan(face.leftEye.x, face.rightEye.x)
        XCTAssertLessThan(face.leftEye.y, face.mouthLeft.y)
        for p in face.landmarks {
            XCTAssert(p.x >= face.box.x && p.x <= face.box.x + face.box.width, "landmark x inside the box")
            XCTAssert(p.y >= face.box.y && p.y <= face.box.y + face.box.height, "landmark y inside the box")
        }
    }

    func testFrameWithoutFace_givesNoDetection() throws {
        let enroller = try XCTUnwrap(Self.enroller)
        XCTAssertEqual(try enroller.detector.detect(in: try Fixtures.facelessImage()).count, 0)
    }

    func testEnrolment_refusesPhotoWithoutFace() throws {
        let enroller = try XCTUnwrap(Self.enroller)
        XCTAssertEqual(enroller.enrol(image: try Fixtures.facelessImage()).failure, .noFace)
    }

    func testEnrolment_refusesPhotoWithTwoFaces() throws {
        let enroller = try XCTUnwrap(Self.enroller)
        let obama = try Image(contentsOf: try Fixtures.photo("obama.jpg"))
        let pair = try obama.sideBySide(with: try Image(contentsOf: try Fixtures.photo("biden.jpg")))
        XCTAssertEqual(enroller.enrol(image: pair).failure?.facesFound.count, 2)
    }

    func testEnrolment_refusesUnreadableImage() throws {
        let enroller = try XCTUnwrap(Self.enroller)
        let folder = try Fixtures.temporaryFolder(self)
        let path = folder + "/broken.jpg"
        FileManager.default.createFile(atPath: path, contents: Data("not a jpeg".utf8))
        guard case .unreadable(let why)? = enroller.enrol(imageAt: path).failure else {
            return XCTFail("expected unreadable")
        }
        XCTAssert(why.contains("broken.jpg"), why)
    }

    func testFlippedFace_staysClose() throws {
        let enroller = try XCTUnwrap(Self.enroller)
        let image = try Image(contentsOf: try Fixtures.photo("obama.jpg"))
        let a = try enroller.enrol(image: image).get().dlib
        let b = try enroller.enrol(image: try image.flipped()).get().dlib
        XCTAssertLessThan(a.distance(to: b), 0.35)
    }
}

extension Result {
    var failure: Failure? { if case .failure(let f) = self { return f } else { return nil } }
}
