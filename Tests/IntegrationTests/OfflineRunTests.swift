import FaceEngine
import Foundation
import TestSupport
import XCTest

/// `edge-node enrol` and `edge-node run` as real processes on real video.
final class OfflineRunTests: XCTestCase {
    private let edgeNode = Fixtures.executable("edge-node")

    struct Alert: Decodable {
        let alert_id: String, subject: String, score: Float, distance: Float, frame: Int, time: Double, track: Int
        let quality: [String: Float]
    }

    /// Enrols the named subjects of the Hamilton stills through symlinks (the images are never copied).
    private func hamiltonWatchlist(_ subjects: [String]) throws -> String {
        let stills = try Fixtures.dataset("videos/face_recognition/hamilton_enroll")
        let folder = try Fixtures.temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "/enrol", withIntermediateDirectories: true)
        for s in subjects { try FileManager.default.createSymbolicLink(atPath: "\(folder)/enrol/\(s)", withDestinationPath: "\(stills)/\(s)") }
        let out = folder + "/watchlist.json"
        let result = try ChildProcess.run(edgeNode, ["enrol", "--from", folder + "/enrol", "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        return out
    }

    func testHamiltonClip_alertsForMiranda_oncePerTrack_andForNobodyElse() throws {
        let clip = try Fixtures.dataset("videos/face_recognition/short_hamilton_clip.mp4")
        let watchlist = try hamiltonWatchlist(["Barack_Obama", "Lin_Manuel_Miranda"])
        let crops = try Fixtures.temporaryFolder(self) + "/crops"
        let result = try ChildProcess.run(edgeNode, ["run", "--source", clip, "--watchlist", watchlist, "--crops", crops])
        XCTAssertEqual(result.status, 0, result.stderr)
        let alerts = try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(Alert.self, from: Data($0.utf8)) }

        let miranda = alerts.filter { $0.subject == "Lin_Manuel_Miranda" }
        XCTAssertTrue(miranda.contains { (82...210).contains($0.frame) }, "Miranda alerts in the close-up: \(alerts.map(\.frame))")
        // Frames 20-81 show only the pianist and 211-274 the audience: Miranda is not in them.
        XCTAssertTrue(miranda.allSatisfy { (0...19).contains($0.frame) || (82...210).contains($0.frame) }, "\(miranda.map(\.frame))")
        // Obama is only in the audience shot.
        XCTAssertTrue(alerts.filter { $0.subject == "Barack_Obama" }.allSatisfy { (211...274).contains($0.frame) })
        // One alert per subject per track, not one per frame.
        let keys = alerts.map { "\($0.track)/\($0.subject)" }
        XCTAssertEqual(Set(keys).count, keys.count)
        for alert in alerts {
            XCTAssertLessThanOrEqual(alert.distance, 0.6)
            XCTAssertGreaterThanOrEqual(alert.score, 0)
            XCTAssertNotNil(alert.quality["inter_eye"])
            let crop = "\(crops)/\(alert.alert_id).jpg"
            XCTAssertNoThrow(try Image(contentsOf: crop), "the alert's crop is a readable JPEG")
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: crop)[.posixPermissions] as? Int, 0o600)
        }
        // Only the matched faces' crops are written.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: crops).count, alerts.count)
    }

    /// Wiping observed, as an auditor would: the node scans its own memory at the end of the run
    /// for every face vector it computed. The watchlist's templates, which it still holds, must be
    /// found (the scan sees what is there); no non-matching face's vector may be.
    private func assertNoFaceVectorSurvives(_ summary: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws {
        let audit = try XCTUnwrap(summary["memory_audit"] as? [String: Int], "the report has the memory audit", file: file, line: line)
        XCTAssertGreaterThan(audit["non_match_vectors"] ?? 0, 10, "the run embedded faces that did not match", file: file, line: line)
        XCTAssertEqual(audit["non_match_surviving"], 0, "non-matching faces' embeddings left in memory: \(audit)", file: file, line: line)
        XCTAssertEqual(audit["match_surviving"], 0, "\(audit)", file: file, line: line)
        XCTAssertGreaterThan(audit["watchlist_templates"] ?? 0, 0, file: file, line: line)
        XCTAssertEqual(audit["watchlist_templates_found"], audit["watchlist_templates"], "the scan finds what is in memory: \(audit)",
                       file: file, line: line)
        XCTAssertGreaterThan(audit["bytes_scanned"] ?? 0, 100 << 20, file: file, line: line)
    }

    func testCrowdClip_leavesNoEmbeddingOfAnyFaceInMemory() throws {
        let clip = try Fixtures.dataset("videos/facenet-pytorch/video.mp4")
        let folder = try Fixtures.temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "/enrol/biden-subject", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Fixtures.photo("biden.jpg"), toPath: folder + "/enrol/biden-subject/biden.jpg")
        let watchlist = folder + "/watchlist.json", report = folder + "/report.json"
        XCTAssertEqual(try ChildProcess.run(edgeNode, ["enrol", "--from", folder + "/enrol", "--out", watchlist]).status, 0)
        let result = try ChildProcess.run(edgeNode, ["run", "--source", clip, "--watchlist", watchlist, "--report", report, "--audit-memory"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        XCTAssertEqual(summary["alerts"] as? Int, 0)
        try assertNoFaceVectorSurvives(summary)
    }

    func testWatchlistOfNobodyInTheClip_givesNoAlert_andWipesEveryTrack() throws {
        let clip = try Fixtures.dataset("videos/face_recognition/short_hamilton_clip.mp4")
        let folder = try Fixtures.temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "/enrol/biden-subject", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Fixtures.photo("biden.jpg"), toPath: folder + "/enrol/biden-subject/biden.jpg")
        let watchlist = folder + "/watchlist.json", report = folder + "/report.json"
        XCTAssertEqual(try ChildProcess.run(edgeNode, ["enrol", "--from", folder + "/enrol", "--out", watchlist]).status, 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let result = try ChildProcess.run(edgeNode, ["run", "--source", clip, "--watchlist", watchlist, "--report", report, "--verbose",
                                                     "--audit-memory"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "", "no alert, nothing on stdout")
        XCTAssert(result.stderr.contains("track embedded"), "debug logs were on")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        XCTAssertEqual(summary["alerts"] as? Int, 0)
        XCTAssertEqual(summary["frames_processed"] as? Int, 275)
        XCTAssertGreaterThan(summary["embeddings_computed"] as? Int ?? 0, 0)
        XCTAssertNotNil(summary["non_match_data_lifetime_max_s"] as? Double, "lifetime of non-match data is reported")
        try assertNoFaceVectorSurvives(summary)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), (before + ["report.json"]).sorted(),
                       "the run wrote nothing but the report it was asked for")
        // An embedding would show as a long run of decimal numbers; boxes and counts are integers.
        let vector = try NSRegularExpression(pattern: #"(-?\d+\.\d+[,;\s]+){8,}"#)
        XCTAssertNil(vector.firstMatch(in: result.stderr, range: NSRange(result.stderr.startIndex..., in: result.stderr)),
                     "no embedding values in the logs, even at debug level")
    }
}
