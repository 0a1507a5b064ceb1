import FaceEngine
import FaceTemplates
import Foundation
import Shared
import TestSupport
import VisionTestSupport
import XCTest

@testable import EdgeNode

/// `edge-node enrol --face-boxes`: the face marked in a group photo is the one enrolled, and a
/// marks file that names no photo of the folder, marks one twice or holds a malformed box is
/// refused with its line, before anything is written.
final class EnrolFaceBoxTests: XCTestCase {
    private let edgeNode = Fixtures.executable("edge-node")

    /// `<folder>/enrol/s1/pair.jpg`: Obama and Biden side by side; returns Biden's box, marked 15% looser than detected.
    private func groupPhoto(in folder: String) throws -> Box {
        let pair = try Image(contentsOf: try Fixtures.photo("obama.jpg")).sideBySide(
            with: try Image(contentsOf: try Fixtures.photo("biden.jpg")))
        try FileManager.default.createDirectory(atPath: folder + "/enrol/s1", withIntermediateDirectories: true)
        try Data(try pair.jpeg(of: Box(x: 0, y: 0, width: Float(pair.width), height: Float(pair.height)), quality: 95))
            .write(to: URL(fileURLWithPath: folder + "/enrol/s1/pair.jpg"))
        let faces = try Fixtures.models.makeDetector().detect(in: pair)
        XCTAssertEqual(faces.count, 2)
        return try XCTUnwrap(faces.max { $0.box.x < $1.box.x }).box.expanded(by: 0.15)
    }

    /// Runs `enrol` on the folder, with `boxes` as the marks file when given.
    private func enrol(_ folder: String, boxes: String?) throws -> (status: Int32, stdout: String, stderr: String) {
        var args = ["enrol", "--from", folder + "/enrol", "--out", folder + "/list.json"]
        if let boxes {
            try boxes.write(toFile: folder + "/boxes.csv", atomically: true, encoding: .utf8)
            args += ["--face-boxes", folder + "/boxes.csv"]
        }
        return try ChildProcess.run(edgeNode, args)
    }

    func testMarkedFaceInAGroupPhoto_isTheOneEnrolled() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let biden = try groupPhoto(in: folder)
        let unmarked = try enrol(folder, boxes: nil)
        XCTAssertNotEqual(unmarked.status, 0, "two faces and no mark: refused")
        let marked = try enrol(
            folder, boxes: "image_path,face_box\ns1/pair.jpg,\(biden.x) \(biden.y) \(biden.width) \(biden.height)\n")
        XCTAssertEqual(marked.status, 0, marked.stderr)
        let list = try TemplateWatchlist.load(path: folder + "/list.json")
        let template = try XCTUnwrap(list.entries.first?.templates.first)
        let enroller = try Fixtures.models.makeEnroller()
        let alone = try enroller.enrol(imageAt: try Fixtures.photo("biden.jpg")).get()
        let other = try enroller.enrol(imageAt: try Fixtures.photo("obama.jpg")).get()
        XCTAssertLessThan(template.distance(to: alone.dlib), 0.3, "Biden's face, the one marked")
        XCTAssertGreaterThan(template.distance(to: other.dlib), 0.6)
    }

    func testBadFaceBoxFiles_areRefusedWithTheirLine_andNothingIsWritten() throws {
        let folder = try Fixtures.temporaryFolder(self)
        _ = try groupPhoto(in: folder)
        for (text, expected) in [
            ("path,box\ns1/pair.jpg,1 2 30 30\n", "lacks the column(s) image_path, face_box"),
            ("image_path,face_box\ns1/other.jpg,1 2 30 30\n", "line 2: s1/other.jpg is not a photo of --from"),
            ("image_path,face_box\ns1/pair.jpg,1 2 30\n", "line 2: face box '1 2 30' is not 'x y width height'"),
            ("image_path,face_box\ns1/pair.jpg,1 2 30 0\n", "line 2: face box '1 2 30 0' is not"),
            (
                "image_path,face_box\ns1/pair.jpg,1 2 30 30\ns1/pair.jpg,5 5 30 30\n",
                "line 3: s1/pair.jpg is marked twice"
            ),
        ] {
            let r = try enrol(folder, boxes: text)
            XCTAssertNotEqual(r.status, 0)
            XCTAssert(r.stderr.contains(expected), "\(text): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/list.json"))
        }
        let missing = try ChildProcess.run(
            edgeNode,
            [
                "enrol", "--from", folder + "/enrol", "--out", folder + "/list.json",
                "--face-boxes", folder + "/none.csv",
            ])
        XCTAssert(missing.stderr.contains("--face-boxes \(folder)/none.csv cannot be read"), missing.stderr)
    }
}
