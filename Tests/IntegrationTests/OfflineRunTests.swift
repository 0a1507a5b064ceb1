import FaceEngine
import FaceTemplates
import Foundation
import Shared
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
        for s in subjects {
            try FileManager.default.createSymbolicLink(
                atPath: "\(folder)/enrol/\(s)", withDestinationPath: "\(stills)/\(s)")
        }
        let out = folder + "/watchlist.json"
        let result = try ChildProcess.run(edgeNode, ["enrol", "--from", folder + "/enrol", "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        return out
    }

    func testHamiltonClip_alertsForMiranda_oncePerTrack_andForNobodyElse() throws {
        let clip = try Fixtures.dataset("videos/face_recognition/short_hamilton_clip.mp4")
        let watchlist = try hamiltonWatchlist(["Barack_Obama", "Lin_Manuel_Miranda"])
        let crops = try Fixtures.temporaryFolder(self) + "/crops"
        let result = try ChildProcess.run(
            edgeNode, ["run", "--source", clip, "--watchlist", watchlist, "--crops", crops])
        XCTAssertEqual(result.status, 0, result.stderr)
        let alerts = try result.stdout.split(separator: "\n").map {
            try JSONDecoder().decode(Alert.self, from: Data($0.utf8))
        }

        let miranda = alerts.filter { $0.subject == "Lin_Manuel_Miranda" }
        XCTAssertTrue(
            miranda.contains { (82...210).contains($0.frame) }, "Miranda alerts in the close-up: \(alerts.map(\.frame))"
        )
        // Frames 20-81 show only the pianist and 211-274 the audience: Miranda is not in them.
        XCTAssertTrue(
            miranda.allSatisfy { (0...19).contains($0.frame) || (82...210).contains($0.frame) },
            "\(miranda.map(\.frame))")
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

    /// One alert per pass: Miranda's shot raises one alert however often her track breaks; every
    /// other matched track is counted as held back; the per-track trace holds counts and scores
    /// but no subject.
    func testHamiltonClip_oneAlertPerPass_andTheTraceNamesNobody() throws {
        let clip = try Fixtures.dataset("videos/face_recognition/short_hamilton_clip.mp4")
        let watchlist = try hamiltonWatchlist(["Barack_Obama", "Lin_Manuel_Miranda"])
        let folder = try Fixtures.temporaryFolder(self)
        let result = try ChildProcess.run(
            edgeNode,
            [
                "run", "--source", clip, "--watchlist", watchlist, "--trace", folder + "/trace.jsonl",
                "--report", folder + "/report.json",
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let alerts = try result.stdout.split(separator: "\n").map {
            try JSONDecoder().decode(Alert.self, from: Data($0.utf8))
        }
        XCTAssertEqual(
            alerts.filter { $0.subject == "Lin_Manuel_Miranda" }.count, 1, "one pass, one alert: \(alerts.map(\.frame))"
        )
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json")))
                as? [String: Any])
        let text = try String(contentsOfFile: folder + "/trace.jsonl", encoding: .utf8)
        XCTAssertFalse(text.contains("Miranda") || text.contains("Obama"), "the trace names nobody")
        let lines = text.split(separator: "\n").map {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertNotNil(lines.first??["threshold"], "the first line gives the threshold")
        let tracks = lines.dropFirst().compactMap { $0 }
        XCTAssertEqual(tracks.count, report["tracks_started"] as? Int, "one line per track")
        let matched = tracks.filter { $0["matched"] as? Bool == true }
        XCTAssertEqual(
            matched.count, alerts.count + (report["repeat_alerts_suppressed"] as? Int ?? -1),
            "every matched track either alerted or was held back as a repeat")
        for t in matched {
            XCTAssertGreaterThanOrEqual(t["embedded"] as? Int ?? 0, 1)
            XCTAssertLessThanOrEqual(t["best_score"] as? Double ?? 9, lines.first??["threshold"] as? Double ?? 0)
        }
    }

    /// Detection on every frame (`detection.interval_frames` 1) finds Miranda in the same shot as
    /// the default schedule: the schedule costs no pass here.
    func testDetectionOnEveryFrame_isAConfigChoice_andFindsTheSamePass() throws {
        let clip = try Fixtures.dataset("videos/face_recognition/short_hamilton_clip.mp4")
        let watchlist = try hamiltonWatchlist(["Lin_Manuel_Miranda"])
        let folder = try Fixtures.temporaryFolder(self)
        try #"{"detection": {"interval_frames": 1}}"#.write(
            toFile: folder + "/edge.json", atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(
            edgeNode,
            [
                "run", "--source", clip, "--watchlist", watchlist, "--config", folder + "/edge.json",
                "--report", folder + "/report.json",
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json")))
                as? [String: Any])
        XCTAssertEqual(report["frames_detected"] as? Int, 275)
        let alerts = try result.stdout.split(separator: "\n").map {
            try JSONDecoder().decode(Alert.self, from: Data($0.utf8))
        }
        XCTAssertEqual(alerts.map(\.subject), ["Lin_Manuel_Miranda"])
        XCTAssertTrue(alerts.allSatisfy { (82...210).contains($0.frame) }, "\(alerts.map(\.frame))")
    }

    /// Wiping observed, as an auditor would: the node scans its own memory at the end of the run
    /// for every face vector it computed. The watchlist's templates, which it still holds, must be
    /// found (the scan sees what is there); no non-matching face's vector may be.
    private func assertNoFaceVectorSurvives(
        _ summary: [String: Any], atLeast vectors: Int = 11, file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let audit = try XCTUnwrap(
            summary["memory_audit"] as? [String: Int], "the report has the memory audit", file: file, line: line)
        XCTAssertGreaterThanOrEqual(
            audit["non_match_vectors"] ?? 0, vectors, "the run embedded faces that did not match", file: file,
            line: line)
        XCTAssertEqual(
            audit["non_match_surviving"], 0, "non-matching faces' embeddings left in memory: \(audit)", file: file,
            line: line)
        XCTAssertEqual(audit["match_surviving"], 0, "\(audit)", file: file, line: line)
        XCTAssertGreaterThan(audit["watchlist_templates"] ?? 0, 0, file: file, line: line)
        XCTAssertEqual(
            audit["watchlist_templates_found"], audit["watchlist_templates"],
            "the scan finds what is in memory: \(audit)",
            file: file, line: line)
        XCTAssertGreaterThan(audit["bytes_scanned"] ?? 0, 100 << 20, file: file, line: line)
    }

    /// A folder with a watchlist of Biden only (from the public photo), who is in no clip here.
    private func bidenWatchlist() throws -> (folder: String, watchlist: String) {
        let folder = try Fixtures.temporaryFolder(self)
        try FileManager.default.createDirectory(
            atPath: folder + "/enrol/biden-subject", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: try Fixtures.photo("biden.jpg"), toPath: folder + "/enrol/biden-subject/biden.jpg")
        let watchlist = folder + "/watchlist.json"
        XCTAssertEqual(
            try ChildProcess.run(edgeNode, ["enrol", "--from", folder + "/enrol", "--out", watchlist]).status, 0)
        return (folder, watchlist)
    }

    func testCrowdClip_leavesNoEmbeddingOfAnyFaceInMemory() throws {
        let clip = try Fixtures.dataset("videos/facenet-pytorch/video.mp4")
        let (folder, watchlist) = try bidenWatchlist()
        let report = folder + "/report.json"
        let result = try ChildProcess.run(
            edgeNode, ["run", "--source", clip, "--watchlist", watchlist, "--report", report, "--audit-memory"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        XCTAssertEqual(summary["alerts"] as? Int, 0)
        try assertNoFaceVectorSurvives(summary)
    }

    func testWatchlistOfNobodyInTheClip_givesNoAlert_andWipesEveryTrack() throws {
        let clip = try Fixtures.dataset("videos/face_recognition/short_hamilton_clip.mp4")
        let (folder, watchlist) = try bidenWatchlist()
        let report = folder + "/report.json"
        let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let result = try ChildProcess.run(
            edgeNode,
            [
                "run", "--source", clip, "--watchlist", watchlist, "--report", report, "--verbose",
                "--audit-memory",
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "", "no alert, nothing on stdout")
        XCTAssert(result.stderr.contains("track embedded"), "debug logs were on")
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        XCTAssertEqual(summary["alerts"] as? Int, 0)
        XCTAssertEqual(summary["frames_processed"] as? Int, 275)
        XCTAssertEqual(
            summary["frames_detected"] as? Int, 138,
            "faces detected on one frame in two (frames 0, 2, ... 274) by default")
        XCTAssertGreaterThan(summary["embeddings_computed"] as? Int ?? 0, 0)
        XCTAssertNotNil(summary["non_match_data_lifetime_max_s"] as? Double, "lifetime of non-match data is reported")
        try assertNoFaceVectorSurvives(summary)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), (before + ["report.json"]).sorted(),
            "the run wrote nothing but the report it was asked for")
        // An embedding would show as a long run of decimal numbers; boxes and counts are integers.
        let vector = try NSRegularExpression(pattern: #"(-?\d+\.\d+[,;\s]+){8,}"#)
        XCTAssertNil(
            vector.firstMatch(in: result.stderr, range: NSRange(result.stderr.startIndex..., in: result.stderr)),
            "no embedding values in the logs, even at debug level")
    }

    /// Non-match data lives while its face is in view, plus a short grace. The clip shows Obama,
    /// then Biden in the same place, then Obama in another photo, 2 s each, then 1 s of black:
    /// no face is in view longer than 2 s. The tracker hands Obama's track to Biden (the boxes
    /// overlap); the handover is caught and Obama's data wiped then, so no track's data lives
    /// 4 s. Paced at the clip's rate, so that wall time is stream time.
    func testNonMatchData_livesNoLongerThanItsFaceIsInView_evenWhenATrackPassesToAnotherPerson() throws {
        let folder = try Fixtures.temporaryFolder(self)
        var list = ""
        for photo in ["obama.jpg", "biden.jpg", "obama2.jpg"] {
            let still = "\(folder)/\(photo).png"
            let p = try ChildProcess(
                "/usr/bin/ffmpeg",
                [
                    "-loglevel", "error", "-y", "-i", try Fixtures.photo(photo), "-vf",
                    "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2", still,
                ])
            XCTAssertEqual(p.wait(), 0, p.stderr)
            list += "file '\(still)'\nduration 2\n"
        }
        let black = try ChildProcess(
            "/usr/bin/ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=black:s=640x480:d=1",
                "-r", "10", "-pix_fmt", "yuv420p", "\(folder)/black.mp4",
            ])
        XCTAssertEqual(black.wait(), 0, black.stderr)
        try list.write(toFile: "\(folder)/list.txt", atomically: true, encoding: .utf8)
        let faces = try ChildProcess(
            "/usr/bin/ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", "\(folder)/list.txt",
                "-i", "\(folder)/black.mp4", "-filter_complex", "[0][1]concat=n=2:v=1",
                "-r", "10", "-pix_fmt", "yuv420p", "\(folder)/clip.mp4",
            ])
        XCTAssertEqual(faces.wait(), 0, faces.stderr)
        // Somebody who is not in the clip: random templates under the fused rule.
        var generator = SplitMix64(seed: 5)
        let dlib = (0..<Embedding.dimension).map { _ in Float.random(in: -0.15...0.15, using: &generator) }
        let second = (0..<FaceNetEmbedding.dimension).map { _ in Float.random(in: -0.044...0.044, using: &generator) }
        try TemplateWatchlist(
            threshold: 0.58, rule: .recommended,
            entries: [
                WatchlistEntry(
                    subject: "nobody", templates: [Embedding(dlib)], faceNetTemplates: [FaceNetEmbedding(second)])
            ]
        )
        .save(path: "\(folder)/nobody.json")
        let report = "\(folder)/report.json"
        let result = try ChildProcess.run(
            edgeNode,
            [
                "run", "--source", "\(folder)/clip.mp4", "--watchlist", "\(folder)/nobody.json",
                "--report", report, "--realtime", "--audit-memory",
            ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        XCTAssertEqual(summary["alerts"] as? Int, 0)
        XCTAssertGreaterThanOrEqual(
            summary["track_identity_switches"] as? Int ?? 0, 1, "the clip hands a track to another person: \(summary)")
        let lifetime = try XCTUnwrap(summary["non_match_data_lifetime_max_s"] as? Double)
        // 2 s in view, then the tracker's grace (10 processed frames: 1 s at the clip's 10 fps, longer
        // when frames are dropped) and half a second for the last frames' processing.
        let fps = try XCTUnwrap(summary["frames_per_second"] as? Double)
        XCTAssertLessThanOrEqual(lifetime, 2 + 10 / min(fps, 10) + 0.5, "non-match data outlived its face: \(summary)")
        XCTAssertGreaterThan(lifetime, 1.5, "the longest pass's data lived about as long as it was in view: \(summary)")
        // The same run, audited: it needs only the public photos, so promise 1 is checked wherever the tests run.
        try assertNoFaceVectorSurvives(summary, atLeast: 4)
    }
}
