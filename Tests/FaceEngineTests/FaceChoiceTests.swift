import FaceEngine
import FaceTemplates
import TestSupport
import VisionTestSupport
import XCTest

/// Which face of an enrolment photo with several is the subject's, and when none clearly is.
final class FaceChoiceTests: XCTestCase {
    private func face(x: Float, y: Float, size: Float, eyes: Float) -> (box: Box, interEye: Float) {
        (Box(x: x, y: y, width: size, height: size), eyes)
    }

    func testOnly_refusesASecondFace_andTakesALoneOne() {
        let subject = face(x: 100, y: 80, size: 100, eyes: 40), other = face(x: 10, y: 10, size: 40, eyes: 16)
        XCTAssertEqual(try FaceChoice.only.pick([subject], width: 300, height: 300).get(), 0)
        XCTAssertEqual(
            FaceChoice.only.pick([subject, other], width: 300, height: 300).failure,
            .multipleFaces([subject.box, other.box]), "the refusal says where each face is")
        XCTAssertEqual(FaceChoice.central.pick([], width: 300, height: 300).failure, .noFace)
    }

    func testLargest_takesAClearlyLargerFace_andRefusesNearTies() {
        let bystander = face(x: 10, y: 10, size: 60, eyes: 24), subject = face(x: 120, y: 100, size: 110, eyes: 44)
        XCTAssertEqual(try FaceChoice.largest.pick([bystander, subject], width: 300, height: 300).get(), 1)
        let twin = face(x: 200, y: 100, size: 100, eyes: 40)
        XCTAssertEqual(
            FaceChoice.largest.pick([subject, twin], width: 300, height: 300).failure,
            .ambiguousFaces([subject.box, twin.box], .largest),
            "44 against 40 is not clearly larger")
    }

    func testCentral_takesTheFaceClearlyNearestTheCentre_andRefusesTwoEquallyCentral() {
        let subject = face(x: 100, y: 100, size: 100, eyes: 40), corner = face(x: 0, y: 0, size: 100, eyes: 50)
        XCTAssertEqual(
            try FaceChoice.central.pick([corner, subject], width: 300, height: 300).get(), 1,
            "central even when smaller")
        let left = face(x: 20, y: 100, size: 100, eyes: 40), right = face(x: 180, y: 100, size: 100, eyes: 40)
        XCTAssertEqual(
            FaceChoice.central.pick([left, right], width: 300, height: 300).failure,
            .ambiguousFaces([left.box, right.box], .central))
    }

    func testEnrolment_withTwoFacesSideBySide_isRefusedUnlessAFaceIsClearlyChosen() throws {
        let enroller = try Fixtures.models.makeEnroller()
        let pair = try Image(contentsOf: try Fixtures.photo("obama.jpg")).sideBySide(
            with: try Image(contentsOf: try Fixtures.photo("biden.jpg")))
        guard case .multipleFaces(let faces) = enroller.enrol(image: pair).failure else {
            return XCTFail("two faces side by side are not refused as several")
        }
        XCTAssertEqual(faces.count, 2)
        XCTAssertLessThan(faces.map(\.centerX).min()!, Float(pair.width) / 2, "one face on each half")
        XCTAssertGreaterThan(faces.map(\.centerX).max()!, Float(pair.width) / 2)
        guard case .ambiguousFaces(let found, .central) = enroller.enrol(image: pair, choice: .central).failure else {
            return XCTFail("both are beside the centre")
        }
        XCTAssertEqual(found.count, 2)
    }

    /// A face marked by hand (looser than the detector's box) is the one enrolled, whatever the
    /// choice; a mark on no face refuses the photo.
    func testEnrolment_ofAMarkedFace_takesTheFaceOnTheMark_andRefusesAMarkOnNoFace() throws {
        let enroller = try Fixtures.models.makeEnroller()
        let obama = try Image(contentsOf: try Fixtures.photo("obama.jpg")),
            biden = try Image(contentsOf: try Fixtures.photo("biden.jpg"))
        let pair = try obama.sideBySide(with: biden)
        let right = try XCTUnwrap(try enroller.detector.detect(in: pair).max { $0.box.x < $1.box.x }).box
        let marked = try enroller.enrol(image: pair, mark: right.expanded(by: 0.15)).get()
        let alone = try enroller.enrol(image: biden).get(), other = try enroller.enrol(image: obama).get()
        XCTAssertLessThan(marked.dlib.distance(to: alone.dlib), 0.3, "Biden's face, the one marked")
        XCTAssertGreaterThan(marked.dlib.distance(to: other.dlib), 0.6)
        let empty = Box(x: 0, y: 0, width: 20, height: 20)
        XCTAssertEqual(enroller.enrol(image: pair, choice: .largest, mark: empty).failure, .noFaceOnMark)
    }
}
