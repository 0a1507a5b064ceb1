import FaceEngine
import Shared
import TestSupport
import XCTest

final class TemplateWatchlistTests: XCTestCase {
    private func entry(_ subject: String, _ value: Float) -> WatchlistEntry {
        WatchlistEntry(subject: subject, templates: [Embedding([Float](repeating: value, count: Embedding.dimension))])
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
        let cases: [(String, String)] = [
            ("not json", "is not a Watchpost watchlist"),
            (#"{"format":"other/9","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[]}"#, "has format"),
            (#"{"format":"watchpost-templates/1","embedding_model":"facenet","entries":[]}"#, "embedding model facenet"),
            (#"{"format":"watchpost-templates/1","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[]}"#, "has no entries"),
            (#"{"format":"watchpost-templates/1","embedding_model":"dlib_face_recognition_resnet_model_v1","threshold":5,"entries":[{"subject":"a","templates":[\#(template)]}]}"#, "threshold 5"),
            (#"{"format":"watchpost-templates/1","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[{"subject":"a","templates":[[0.1,0.2]]}]}"#, "not 128 finite numbers"),
            (#"{"format":"watchpost-templates/1","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[{"subject":"a","templates":[\#(template)]},{"subject":"a","templates":[\#(template)]}]}"#, "appears twice"),
            (#"{"format":"watchpost-templates/1","embedding_model":"dlib_face_recognition_resnet_model_v1","entries":[{"subject":"","templates":[\#(template)]}]}"#, "empty subject"),
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
