import CoordinatorRecord
import Enrolment
import FaceEngine
import Foundation
import TestSupport
import VisionTestSupport
import XCTest

@testable import Coordinator

/// A manifest file's subjects as the watchlist builder takes them.
final class ManifestEnrolmentTests: XCTestCase {
    /// A manifest's `face_boxes` reach the enrolment: the marked face of a group photo is enrolled.
    func testManifestFaceBox_enrolsTheMarkedFaceOfAGroupPhoto() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let enroller = try Fixtures.models.makeEnroller()
        let biden = try Image(contentsOf: try Fixtures.photo("biden.jpg"))
        let pair = try Image(contentsOf: try Fixtures.photo("obama.jpg")).sideBySide(with: biden)
        try Data(try pair.jpeg(of: Box(x: 0, y: 0, width: Float(pair.width), height: Float(pair.height)), quality: 95))
            .write(to: URL(fileURLWithPath: folder + "/group.jpg"))
        let right = try XCTUnwrap(try enroller.detector.detect(in: pair).max { $0.box.x < $1.box.x }).box.expanded(
            by: 0.1)
        try
            "subject_id,display_name,category,reason,image_source,image_paths,face_boxes\ns-1,B,wanted,w,custody,group.jpg,\(Int(right.x)) \(Int(right.y)) \(Int(right.width)) \(Int(right.height))\n"
            .write(toFile: folder + "/list.csv", atomically: true, encoding: .utf8)
        let subjects = try WatchlistManifest(path: folder + "/list.csv").subjects.map(WatchlistBuilder.Subject.init)
        let binding = WatchlistBuilder.Binding(
            deploymentID: "d", watchlistID: "w", version: 1, notBefore: nil,
            expiresAt: Date(timeIntervalSince1970: 1_900_000_000), threshold: 0.8)
        let bundle = try XCTUnwrap(
            WatchlistBuilder(enroller: enroller).build(
                subjects: subjects, cohort: [], binding: binding, now: Date(timeIntervalSince1970: 1_800_000_000)
            ).bundle)
        XCTAssertLessThan(bundle.entries[0].templates[0].distance(to: try enroller.enrol(image: biden).get().dlib), 0.3)
    }
}
