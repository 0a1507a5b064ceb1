import FaceEngine
import FaceTemplates
import Shared
import TestSupport
import XCTest

final class TemplateWatchlistTests: XCTestCase {
    private func entry(_ subject: String, _ value: Float) -> WatchlistEntry {
        WatchlistEntry(subject: subject, templates: [Embedding([Float](repeating: value, count: Embedding.dimension))])
    }

    private func fusedEntry(_ subject: String, _ value: Float) -> WatchlistEntry {
        WatchlistEntry(
            subject: subject, templates: [Embedding([Float](repeating: value, count: Embedding.dimension))],
            faceNetTemplates: [FaceNetEmbedding([Float](repeating: value / 2, count: FaceNetEmbedding.dimension))])
    }

    func testFusedList_withCohort_roundTrips_andMatches() throws {
        let path = try Fixtures.temporaryFolder(self) + "/fused.json"
        let cohort = [
            FaceFeatures(
                dlib: Embedding([Float](repeating: 0.3, count: 128)),
                faceNet: FaceNetEmbedding([Float](repeating: 0.02, count: 512)))
        ]
        let list = TemplateWatchlist(
            threshold: 0.6, rule: .recommended, entries: [fusedEntry("s1", 0.1), fusedEntry("s2", -0.1)], cohort: cohort
        )
        try list.save(path: path)
        let loaded = try TemplateWatchlist.load(path: path)
        XCTAssertEqual(loaded, list)
        let matcher = try Matcher(entries: loaded.entries, rule: loaded.rule, cohort: loaded.cohort)
        XCTAssertTrue(matcher.wantsFaceNet)
        XCTAssertEqual(matcher.cohortCount, 1)
    }

    func testRoundTrip_andOwnerOnlyPermissions() throws {
        let path = try Fixtures.temporaryFolder(self) + "/list.json"
        let list = TemplateWatchlist(threshold: 0.45, entries: [entry("s1", 0.1), entry("s2", -0.1)])
        try list.save(path: path)
        XCTAssertEqual(try TemplateWatchlist.load(path: path), list)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    /// Each malformed file is refused with the file name and the reason.
    func testBadFiles_areRefusedWithTheReason() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let template = "[" + Array(repeating: "0.1", count: 128).joined(separator: ",") + "]"
        let second = "[" + Array(repeating: "0.04", count: 512).joined(separator: ",") + "]"
        let fused = MatchingRule.recommended.embeddingModel
        let cases: [(String, String)] = [
            ("not json", "is not a Watchpost watchlist"),
            (
                #"{"format":"other/9","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[]}"#,
                "has format"
            ),
            (
                #"{"format":"watchpost-templates/1","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[]}"#,
                "this version reads watchpost-templates/2"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"facenet","entries":[]}"#,
                "embedding model facenet"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[]}"#,
                "has no entries"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"dlib_face_recognition_resnet_model_v1","threshold":5,"entries":[{"subject":"a","templates":[\#(template)]}]}"#,
                "threshold 5"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[{"subject":"a","templates":[[0.1,0.2]]}]}"#,
                "not 128 finite numbers"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[{"subject":"a","templates":[\#(template)]},{"subject":"a","templates":[\#(template)]}]}"#,
                "appears twice"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[{"subject":"","templates":[\#(template)]}]}"#,
                "empty subject"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"\#(fused)","entries":[{"subject":"a","templates":[\#(template)]}]}"#,
                "0 FaceNet templates for 1 dlib"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"\#(fused)","entries":[{"subject":"a","templates":[\#(template)],"facenet_templates":[[0.1]]}]}"#,
                "FaceNet template that is not 512"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[{"subject":"a","templates":[\#(template)]}],"cohort":[{"dlib":\#(template),"facenet":\#(second)}]}"#,
                "only the fused rule"
            ),
            (
                #"{"format":"watchpost-templates/2","embedding_model":"\#(fused)","entries":[{"subject":"a","templates":[\#(template)],"facenet_templates":[\#(second)]}],"cohort":[{"dlib":[1],"facenet":\#(second)}]}"#,
                "cohort face 0"
            ),
        ]
        for (i, (body, expected)) in cases.enumerated() {
            let path = folder + "/case\(i).json"
            try body.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try TemplateWatchlist.load(path: path), "case \(i)") { error in
                XCTAssert("\(error)".contains(path) && "\(error)".contains(expected), "case \(i): \(error)")
            }
        }
        XCTAssertThrowsError(try TemplateWatchlist.load(path: folder + "/absent.json")) { error in
            XCTAssert("\(error)".contains("cannot be read"))
        }
    }
}
