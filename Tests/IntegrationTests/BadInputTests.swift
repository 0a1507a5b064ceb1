import FaceEngine
import Foundation
import TestSupport
import VisionTestSupport
import XCTest

/// Wrong inputs to the executables: each gets a clear message and a non-zero status.
final class BadInputTests: XCTestCase {
    private let edgeNode = Fixtures.executable("edge-node")
    private let coordinator = Fixtures.executable("coordinator")

    private func watchlist() throws -> String {
        let folder = try Fixtures.temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "/enrol/s1", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Fixtures.photo("obama.jpg"), toPath: folder + "/enrol/s1/a.jpg")
        let out = folder + "/list.json"
        let r = try ChildProcess.run(edgeNode, ["enrol", "--from", folder + "/enrol", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        return out
    }

    private func assertFails(
        _ executable: String, _ args: [String], mentions expected: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let r = try ChildProcess.run(executable, args, timeout: .seconds(120))
        XCTAssertNotEqual(r.status, 0, "should fail: \(args)", file: file, line: line)
        for text in expected {
            XCTAssert(r.stderr.contains(text), "stderr lacks \"\(text)\": \(r.stderr)", file: file, line: line)
        }
    }

    func testEnrol_listsEachRefusedPhoto_withItsReason() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let fm = FileManager.default
        for s in ["empty", "pair", "good"] {
            try fm.createDirectory(atPath: "\(folder)/in/\(s)", withIntermediateDirectories: true)
        }
        let faceless = try Fixtures.facelessImage()
        fm.createFile(
            atPath: "\(folder)/in/empty/wall.jpg",
            contents: Data(try faceless.jpeg(of: Box(x: 0, y: 0, width: 320, height: 240))))
        let obama = try Image(contentsOf: try Fixtures.photo("obama.jpg"))
        let pair = try obama.sideBySide(with: try Image(contentsOf: try Fixtures.photo("biden.jpg")))
        fm.createFile(
            atPath: "\(folder)/in/pair/two.jpg",
            contents: Data(try pair.jpeg(of: Box(x: 0, y: 0, width: Float(pair.width), height: Float(pair.height)))))
        try fm.copyItem(atPath: try Fixtures.photo("obama.jpg"), toPath: "\(folder)/in/good/obama.jpg")
        fm.createFile(atPath: "\(folder)/in/good/truncated.jpg", contents: Data([0xFF, 0xD8, 0xFF]))

        try assertFails(
            edgeNode, ["enrol", "--from", "\(folder)/in", "--out", "\(folder)/list.json"],
            mentions: [
                "refused \(folder)/in/empty/wall.jpg: no face found",
                "refused \(folder)/in/pair/two.jpg: 2 faces found",
                "refused \(folder)/in/good/truncated.jpg: unreadable image",
                "3 photo(s) refused",
            ])
        XCTAssertFalse(fm.fileExists(atPath: "\(folder)/list.json"), "no partial watchlist without --allow-rejections")
        let r = try ChildProcess.run(
            edgeNode, ["enrol", "--from", "\(folder)/in", "--out", "\(folder)/list.json", "--allow-rejections"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try TemplateWatchlistProbe.subjects(at: "\(folder)/list.json"), ["good"])
    }

    func testEnrol_fromAFolderThatIsNotThere() throws {
        try assertFails(
            edgeNode, ["enrol", "--from", "/nonexistent/faces", "--out", "/tmp/x.json"],
            mentions: ["--from /nonexistent/faces is not a folder"])
    }

    func testEnrol_withAnUnknownWayOfUsingSeveralPhotos() throws {
        try assertFails(
            edgeNode, ["enrol", "--from", "/tmp", "--out", "/tmp/x.json", "--photos", "blend"],
            mentions: ["blend", "--photos"])
    }

    func testRun_withUnreadableVideo() throws {
        let list = try watchlist()
        try assertFails(
            edgeNode, ["run", "--source", "/nonexistent/clip.mp4", "--watchlist", list],
            mentions: ["/nonexistent/clip.mp4 does not exist"])
        let notVideo = try Fixtures.temporaryFolder(self) + "/clip.mp4"
        try "not a video".write(toFile: notVideo, atomically: true, encoding: .utf8)
        try assertFails(
            edgeNode, ["run", "--source", notVideo, "--watchlist", list],
            mentions: ["cannot open video source \(notVideo)"])
    }

    func testRun_withMissingOrCorruptModels_namesTheFileAndTheSetupCommand() throws {
        let list = try watchlist()
        let models = try Fixtures.temporaryFolder(self)
        let clip = try Fixtures.photo("obama.jpg")
        try assertFails(
            edgeNode, ["run", "--source", clip, "--watchlist", list, "--models", models],
            mentions: ["\(models)/facenet_20180408-102900.pb is missing", "scripts/setup.sh"])
        // Every other model in place: the corrupt one is named.
        for model in ModelStore.Model.allCases where model != .centerFace {
            try FileManager.default.createSymbolicLink(
                atPath: "\(models)/\(model.rawValue)",
                withDestinationPath: "\(Fixtures.models.directory)/\(model.rawValue)")
        }
        FileManager.default.createFile(atPath: models + "/centerface.onnx", contents: Data(repeating: 1, count: 100))
        try assertFails(
            edgeNode, ["run", "--source", clip, "--watchlist", list, "--models", models],
            mentions: ["\(models)/centerface.onnx is corrupt", "scripts/setup.sh"])
    }

    func testRun_withWrongConfigValues_namesTheKey() throws {
        let list = try watchlist()
        let folder = try Fixtures.temporaryFolder(self)
        let clip = try Fixtures.photo("obama.jpg")
        let cases = [
            (#"{"detection": {"max_sid": 640}}"#, "key detection.max_sid: is not a known key"),
            (#"{"matching": {"threshold": 7}}"#, "key matching.threshold: 7.0 is out of range"),
            (#"{"matching": {"facenet_gate": 0.5}}"#, "key matching.facenet_gate: 0.5 is out of range"),
            (
                #"{"embedding": {"max_facenet_per_track": 0}}"#,
                "key embedding.max_facenet_per_track: 0 is out of range 1...100"
            ),
            (#"{"embedding": {"max_per_frame": 2.5}}"#, "key embedding.max_per_frame: must be a whole number, got 2.5"),
            (#"{"detection": {"interval_frames": 0}}"#, "key detection.interval_frames: 0 is out of range 1...30"),
            (
                #"{"tracking": {"identity_switch_distance": 0.1}}"#,
                "key tracking.identity_switch_distance: 0.1 is out of range"
            ),
            (#"{"detection": {"max_side": true}}"#, "key detection.max_side: must be a number"),
            (#"{"tracking": {"min_iou": "high"}}"#, "key tracking.min_iou: must be a number"),
            (#"{"quality": {"min_luma_mean": 200, "max_luma_mean": 100}}"#, "key quality: quality luminance bars"),
            ("{", "is not a JSON object"),
        ]
        for (i, (body, expected)) in cases.enumerated() {
            let config = "\(folder)/edge\(i).json"
            try body.write(toFile: config, atomically: true, encoding: .utf8)
            try assertFails(
                edgeNode, ["run", "--source", clip, "--watchlist", list, "--config", config],
                mentions: [config, expected])
        }
    }

    func testRun_withBadFlagsOrWatchlist() throws {
        let list = try watchlist()
        let clip = try Fixtures.photo("obama.jpg")
        try assertFails(
            edgeNode, ["run", "--source", clip, "--watchlist", list, "--threshold", "3"],
            mentions: ["--threshold 3.0 is out of range"])
        try assertFails(
            edgeNode, ["run", "--source", clip, "--watchlist", list, "--threads", "0"],
            mentions: ["--threads 0 is out of range"])
        try assertFails(
            edgeNode, ["run", "--source", clip, "--watchlist", "/nonexistent/list.json"],
            mentions: ["/nonexistent/list.json cannot be read"])
    }

    func testEvaluate_withBadDataset() throws {
        let folder = try Fixtures.temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: folder + "/only-one/", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Fixtures.photo("obama.jpg"), toPath: folder + "/only-one/a.jpg")
        try assertFails(
            coordinator, ["evaluate", "--dataset", folder], mentions: ["has no identity with two or more images"])
        try assertFails(coordinator, ["evaluate", "--dataset", "/nonexistent"], mentions: ["is not a folder"])
        try assertFails(
            coordinator, ["evaluate", "--dataset", folder, "--thresholds", "0.4,x"],
            mentions: ["must be comma-separated numbers"])
        try assertFails(
            coordinator, ["evaluate", "--dataset", folder, "--enrolment-study", "--scoring", "dlib"],
            mentions: ["--enrolment-study", "--scoring fused"])
    }
}

/// Reads the subject ids of a watchlist file (the CLI's output) without the Shared module.
enum TemplateWatchlistProbe {
    static func subjects(at path: String) throws -> [String] {
        let object =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        return (object["entries"] as! [[String: Any]]).map { $0["subject"] as! String }
    }
}
