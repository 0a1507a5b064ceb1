import CoordinatorRecord
import FaceEngine
import FaceTemplates
import Foundation
import RecordTestSupport
import Shared
import TestSupport
import VisionTestSupport
import XCTest

@testable import Coordinator
@testable import Enrolment
@testable import Evaluation

/// The control room's path for a group photo: the manifest's `face_boxes` are kept with the
/// upload and reach the enrolment, so the marked face is the one enrolled; unmarked, the photo is
/// refused as the command line refuses it.
final class EnrollingWatchlistCompilerTests: XCTestCase {
    func testUploadedGroupPhoto_withTheSubjectsFaceMarked_enrolsThatFace() async throws {
        let f = try RecordFixture(self)
        let enroller = try Fixtures.models.makeEnroller()
        let biden = try Image(contentsOf: try Fixtures.photo("biden.jpg"))
        let pair = try Image(contentsOf: try Fixtures.photo("obama.jpg")).sideBySide(with: biden)
        let group = try pair.jpeg(
            of: Box(x: 0, y: 0, width: Float(pair.width), height: Float(pair.height)), quality: 95)
        let right = try XCTUnwrap(try enroller.detector.detect(in: pair).max { $0.box.x < $1.box.x }).box.expanded(
            by: 0.1)
        let mark = FaceMark(
            x: right.x.rounded(), y: right.y.rounded(), width: right.width.rounded(), height: right.height.rounded())
        let compiler = EnrollingWatchlistCompiler(settings: .init(), clock: WallClock { RecordFixture.t0 + 60 })

        func draft(boxes: String?) throws -> String {
            let header =
                "subject_id,display_name,category,reason,image_source,image_paths" + (boxes == nil ? "" : ",face_boxes")
            let row = "s-1,B,wanted,w,custody,group.jpg" + (boxes.map { "," + $0 } ?? "")
            let upload = WatchlistUpload(
                binding: WatchlistBinding(
                    deploymentID: "dep-1", watchlistID: "wl-1", version: 1, notBefore: nil,
                    expiresAt: RecordFixture.t0 + 86_400, threshold: 0.8),
                manifestName: "list.csv", manifestText: header + "\n" + row + "\n", photos: ["group.jpg": group])
            return try WatchlistDraftStore.upload(upload, by: "ian", in: f.database, at: RecordFixture.t0)
        }

        let marked = try draft(boxes: mark.text)
        XCTAssertEqual(
            try WatchlistDraftStore.load(marked, in: f.database)?.subjects[0].photos[0].mark, mark,
            "kept with the upload")
        let input = try WatchlistDraftStore.beginBuild(marked, by: "ian", in: f.database, at: RecordFixture.t0)
        XCTAssertEqual(input.subjects[0].photos[0].mark, mark)
        let compiled = try await compiler.compile(input)
        XCTAssertEqual(compiled.refusals, [])
        let bundle = try WatchlistBundle.decode(
            payload: try SignedBundle.decode(
                fileBytes: try XCTUnwrap(compiled.bundleFile),
                maxPayloadBytes: 1 << 30
            ).payload)
        XCTAssertEqual(bundle.issuedAt, RecordFixture.t0 + 60, "issued at the compiler's clock's time")
        XCTAssertLessThan(
            bundle.entries[0].templates[0].distance(to: try enroller.enrol(image: biden).get().dlib), 0.3,
            "Biden, the face marked")

        let unmarked = try draft(boxes: nil)
        let refused = try await compiler.compile(
            try WatchlistDraftStore.beginBuild(unmarked, by: "ian", in: f.database, at: RecordFixture.t0))
        XCTAssertNil(refused.bundleFile)
        XCTAssertEqual(refused.refusals.compactMap(\.position), [0], "the group photo, refused for its two faces")
    }

    /// A draft uploaded with `fused` gives each subject one template, the mean of its photos; with
    /// `separate`, one per photo.
    func testFusedDraft_enrolsOneTemplatePerSubject() async throws {
        let f = try RecordFixture(self)
        let compiler = EnrollingWatchlistCompiler(settings: .init())
        var templates: [PhotoFusion: Int] = [:]
        for fusion in PhotoFusion.allCases {
            let upload = WatchlistUpload(
                binding: WatchlistBinding(
                    deploymentID: "dep-\(fusion.rawValue)", watchlistID: "wl-1", version: 1, notBefore: nil,
                    expiresAt: RecordFixture.t0 + 86_400, threshold: 0.8, photos: fusion),
                manifestName: "list.csv",
                manifestText:
                    "subject_id,display_name,category,reason,image_source,image_paths\ns-1,B,wanted,w,custody,a.jpg;b.jpg\n",
                photos: [
                    "a.jpg": try Self.bytes(try Fixtures.photo("obama.jpg")),
                    "b.jpg": try Self.bytes(try Fixtures.photo("obama2.jpg")),
                ])
            let id = try WatchlistDraftStore.upload(upload, by: "ian", in: f.database, at: RecordFixture.t0)
            let compiled = try await compiler.compile(
                try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0))
            XCTAssertEqual(compiled.refusals, [])
            templates[fusion] = compiled.templates
        }
        XCTAssertEqual(templates, [.separate: 2, .fused: 1])
    }

    /// With `watchlists.cohort_centroids`, a list built in the control room carries the cohort as
    /// centroids, says so in the bundle, and is planned only with a report made with centroids.
    func testCohortCentroidsInTheConfig_areCarriedInsteadOfFaces() async throws {
        let f = try RecordFixture(self)
        let dir = f.folder
        var rows = "image_path,image_source,person\n"
        for (i, photo) in ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "biden.jpg"].enumerated() {
            try? FileManager.default.copyItem(atPath: try Fixtures.photo(photo), toPath: "\(dir)/\(photo)")
            rows += "\(photo),volunteer consented 2026,p-\(i)\n"
        }
        try rows.write(toFile: "\(dir)/people.csv", atomically: true, encoding: .utf8)
        let config = try Self.config(in: dir, watchlists: #""cohort": "\#(dir)/people.csv", "cohort_centroids": 5"#)
        XCTAssertEqual(config.watchlistCompiler.cohortCentroids, 5)
        let compiler = EnrollingWatchlistCompiler(settings: config.watchlistCompiler)
        let upload = WatchlistUpload(
            binding: WatchlistBinding(
                deploymentID: "dep-1", watchlistID: "wl-1", version: 1, notBefore: nil,
                expiresAt: RecordFixture.t0 + 86_400, threshold: 0.8),
            manifestName: "list.csv",
            manifestText:
                "subject_id,display_name,category,reason,image_source,image_paths\ns-1,B,wanted,w,custody,a.jpg\n",
            photos: ["a.jpg": try Self.bytes(try Fixtures.photo("obama.jpg"))])
        let id = try WatchlistDraftStore.upload(upload, by: "ian", in: f.database, at: RecordFixture.t0)
        let compiled = try await compiler.compile(
            try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0))
        XCTAssertEqual(compiled.refusals, [])
        let bundle = try WatchlistBundle.decode(
            payload: try SignedBundle.decode(fileBytes: try XCTUnwrap(compiled.bundleFile), maxPayloadBytes: 1 << 30)
                .payload)
        XCTAssertEqual(bundle.cohort.count, 1, "five people, one centroid")
        XCTAssertEqual(bundle.peoplePerCohortTemplate, 5)

        let report = "\(dir)/faces.json"
        try JSONEncoder().encode(
            EvaluationReport(
                dataset: "d", scoring: "fused", cohort: "two-fold", cohortFaces: 1276, identitiesEnrolled: 1, mated: 1,
                nonMated: 1,
                detectionFailures: .init(enrolment: 0, mated: 0, nonMated: 0, total: 0, rate: 0), operatingPoints: [],
                thresholds: [],
                fixedThreshold: nil, recommendedThreshold: nil, recommendedFor: 10, listSizes: [],
                falseMatchSpread: nil, spreadAtFPIR: nil,
                groups: nil, enrolmentStudy: nil)
        ).write(to: URL(fileURLWithPath: report))
        var settings = config.watchlistCompiler
        settings.evaluationReport = report
        XCTAssertThrowsError(
            try EnrollingWatchlistCompiler(settings: settings).expectedPerformance(
                threshold: 0.8, listSize: 1, enrolment: .onePhoto, cohortFaces: bundle.cohort.count)
        ) {
            XCTAssert(
                "\($0)".contains("--cohort two-fold, centroids of 5 (nearest)"),
                "a faces report does not describe centroids: \($0)")
        }
    }

    func testCohortCentroidsInTheConfig_thatCannotBeUsed_areRefusedWithTheKey() throws {
        let dir = try Fixtures.temporaryFolder(self)
        try "image_path,image_source\nbiden.jpg,volunteer\n".write(
            toFile: "\(dir)/faces.csv", atomically: true, encoding: .utf8)
        for (watchlists, expected) in [
            (
                #""cohort": "\#(dir)/faces.csv", "cohort_centroids": 3"#,
                "key watchlists.cohort_centroids: is 3: a centroid must average at least 5 people"
            ),
            (#""cohort_centroids": 5"#, "key watchlists.cohort_centroids: needs watchlists.cohort"),
            (
                #""cohort": "\#(dir)/faces.csv", "cohort_centroids": 5"#,
                "key watchlists.cohort: cohort manifest \(dir)/faces.csv has no person column"
            ),
        ] {
            XCTAssertThrowsError(try Self.config(in: dir, watchlists: watchlists)) {
                XCTAssert("\($0)".contains(expected), "\($0)")
            }
        }
    }

    private static func config(in dir: String, watchlists: String) throws -> CoordinatorConfigFile {
        let path = "\(dir)/coordinator.json"
        try
            #"{"server": {"curve_key": "\#(dir)/c.curve", "state_dir": "\#(dir)/state"}, "watchlists": {\#(watchlists)}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        return try CoordinatorConfigFile(path: path)
    }

    private static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
