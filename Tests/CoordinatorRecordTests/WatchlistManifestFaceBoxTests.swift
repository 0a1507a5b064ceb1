import CoordinatorRecord
import XCTest

/// `face_boxes`: one mark per photo, in the order of `image_paths`; a wrong count or a box that is
/// not four non-negative numbers is refused, naming the line.
final class WatchlistManifestFaceBoxTests: XCTestCase {
    private func manifest(_ boxes: String, photos: String = "a.jpg;b.jpg") throws -> WatchlistManifest {
        try WatchlistManifest(
            uploadedText:
                "subject_id,display_name,category,reason,image_source,image_paths,face_boxes\ns-1,A,wanted,w,custody,\(photos),\(boxes)\n",
            name: "list.csv")
    }

    func testMarks_followThePhotos_andAnEmptyEntryMarksNone() throws {
        XCTAssertEqual(
            try manifest("10 20 80 90.5;").subjects[0].faceMarks,
            [WatchlistManifest.FaceMark(x: 10, y: 20, width: 80, height: 90.5), nil])
        XCTAssertEqual(try manifest("").subjects[0].faceMarks, [], "no marks: every photo enrolled by --face")
    }

    func testWrongMarks_areRefused_sayingWhatIsWrong() {
        for (boxes, expected) in [
            ("10 20 80 90", "face_boxes has 1 entries for 2 photos"),
            ("10 20 80;", "face box '10 20 80' is not 'x y width height'"),
            ("10 20 0 90;", "width and height above 0"),
            ("-5 20 80 90;", "is not 'x y width height'"),
            ("10 20 80 nan;", "is not 'x y width height'"),
        ] {
            XCTAssertThrowsError(try manifest(boxes)) {
                XCTAssert("\($0)".contains(expected) && "\($0)".contains("line 2"), "\(boxes): \($0)")
            }
        }
    }
}
