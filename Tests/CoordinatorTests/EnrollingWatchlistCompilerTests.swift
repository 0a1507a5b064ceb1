@testable import Coordinator
import CoordinatorRecord
import FaceEngine
import FaceTemplates
import Foundation
import Shared
import TestSupport
import XCTest

/// The control room's path for a group photo: the manifest's `face_boxes` are kept with the
/// upload and reach the enrolment, so the marked face is the one enrolled; unmarked, the photo is
/// refused as the command line refuses it.
final class EnrollingWatchlistCompilerTests: XCTestCase {
    func testUploadedGroupPhoto_withTheSubjectsFaceMarked_enrolsThatFace() async throws {
        let f = try RecordFixture(self)
        let enroller = try Fixtures.models.makeEnroller()
        let biden = try Image(contentsOf: try Fixtures.photo("biden.jpg"))
        let pair = try Image(contentsOf: try Fixtures.photo("obama.jpg")).sideBySide(with: biden)
        let group = try pair.jpeg(of: Box(x: 0, y: 0, width: Float(pair.width), height: Float(pair.height)), quality: 95)
        let right = try XCTUnwrap(try enroller.detector.detect(in: pair).max { $0.box.x < $1.box.x }).box.expanded(by: 0.1)
        let mark = FaceMark(x: right.x.rounded(), y: right.y.rounded(), width: right.width.rounded(), height: right.height.rounded())
        let compiler = EnrollingWatchlistCompiler(settings: .init())

        func draft(boxes: String?) throws -> String {
            let header = "subject_id,display_name,category,reason,image_source,image_paths" + (boxes == nil ? "" : ",face_boxes")
            let row = "s-1,B,wanted,w,custody,group.jpg" + (boxes.map { "," + $0 } ?? "")
            let upload = WatchlistUpload(binding: WatchlistBinding(deploymentID: "dep-1", watchlistID: "wl-1", version: 1, notBefore: nil,
                                                                   expiresAt: RecordFixture.t0 + 86_400, threshold: 0.8),
                                         manifestName: "list.csv", manifestText: header + "\n" + row + "\n", photos: ["group.jpg": group])
            return try WatchlistDraftStore.upload(upload, by: "ian", in: f.database, at: RecordFixture.t0)
        }

        let marked = try draft(boxes: mark.text)
        XCTAssertEqual(try WatchlistDraftStore.load(marked, in: f.database)?.subjects[0].photos[0].mark, mark, "kept with the upload")
        let input = try WatchlistDraftStore.beginBuild(marked, by: "ian", in: f.database, at: RecordFixture.t0)
        XCTAssertEqual(input.subjects[0].photos[0].mark, mark)
        let compiled = try await compiler.compile(input)
        XCTAssertEqual(compiled.refusals, [])
        let bundle = try WatchlistBundle.decode(payload: try SignedBundle.decode(fileBytes: try XCTUnwrap(compiled.bundleFile),
                                                                                 maxPayloadBytes: 1 << 30).payload)
        XCTAssertLessThan(bundle.entries[0].templates[0].distance(to: try enroller.enrol(image: biden).get().dlib), 0.3, "Biden, the face marked")

        let unmarked = try draft(boxes: nil)
        let refused = try await compiler.compile(try WatchlistDraftStore.beginBuild(unmarked, by: "ian", in: f.database, at: RecordFixture.t0))
        XCTAssertNil(refused.bundleFile)
        XCTAssertEqual(refused.refusals.compactMap(\.position), [0], "the group photo, refused for its two faces")
    }

    /// A draft uploaded with `fused` gives each subject one template, the mean of its photos; with
    /// `separate`, one per photo. The two spellings are those of `PhotoFusion`.
    func testFusedDraft_enrolsOneTemplatePerSubject() async throws {
        XCTAssertEqual(Set(WatchlistBinding.photoChoices), Set(PhotoFusion.allCases.map(\.rawValue)))
        let f = try RecordFixture(self)
        let compiler = EnrollingWatchlistCompiler(settings: .init())
        var templates: [String: Int] = [:]
        for fusion in WatchlistBinding.photoChoices {
            let upload = WatchlistUpload(
                binding: WatchlistBinding(deploymentID: "dep-\(fusion)", watchlistID: "wl-1", version: 1, notBefore: nil,
                                          expiresAt: RecordFixture.t0 + 86_400, threshold: 0.8, photos: fusion),
                manifestName: "list.csv",
                manifestText: "subject_id,display_name,category,reason,image_source,image_paths\ns-1,B,wanted,w,custody,a.jpg;b.jpg\n",
                photos: ["a.jpg": try Self.bytes(try Fixtures.photo("obama.jpg")), "b.jpg": try Self.bytes(try Fixtures.photo("obama2.jpg"))])
            let id = try WatchlistDraftStore.upload(upload, by: "ian", in: f.database, at: RecordFixture.t0)
            let compiled = try await compiler.compile(try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0))
            XCTAssertEqual(compiled.refusals, [])
            templates[fusion] = compiled.templates
        }
        XCTAssertEqual(templates, ["separate": 2, "fused": 1])
    }

    private static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
}
